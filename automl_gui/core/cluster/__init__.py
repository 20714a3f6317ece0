"""Past one machine, with the engines the stack already has: ``TF_CONFIG`` (TensorFlow's
cluster description) for training across workers under ``tf.distribute``, Keras Tuner's
distributed mode for searches, and launch files for a plain multi-host run, Slurm and
Kubernetes. Qt-free; TensorFlow loads only inside the functions that train.
"""
