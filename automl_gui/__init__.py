"""automl-gui: desktop AutoML for Keras (tables now; images and audio to follow)."""

__version__ = "0.1.0"
__all__ = ["__version__"]
