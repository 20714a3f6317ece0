"""Pages for audio datasets (kind "audio")."""
