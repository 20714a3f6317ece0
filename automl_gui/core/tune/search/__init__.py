"""AutoML search: Keras Tuner over the models of a data kind, with scikit-learn baselines."""
