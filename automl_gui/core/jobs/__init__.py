"""Long jobs: one signature, one Run type, one way to run a job in the engine process."""
