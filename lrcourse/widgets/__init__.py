"""Interactive explorers for the course notebooks (ipywidgets).

Each module builds one explorer and imports its heavy dependencies (ipywidgets, matplotlib,
torch, keras) inside its functions, so importing this package costs nothing:

- ``schedule_explorer``: pick a learning-rate schedule, move its parameters, see the NumPy
  curve with its PyTorch and Keras twins overlaid (assignment ``02_schedules``);
- ``optimizer_explorer``: optimizers' paths on 2-D loss surfaces (NumPy, with the PyTorch
  twin's path as markers) and Adam's effective step (assignment ``03_optimizers``);
- ``plateau_explorer``: ReduceLROnPlateau and EarlyStopping on a generated validation curve,
  the lr and the stop epoch from NumPy, PyTorch and Keras (assignment
  ``04_plateau_and_stopping``);
- ``finder_explorer``: recorded LR range tests replayed with any smoothing, skips and
  suggestion rule, and a live range test on a button press (assignment ``05_lr_finder``).
- ``run_length_explorer``: the reference comparison's schedules scaled to a run of any length,
  the lr of every update (assignment ``07_reference_experiment``).
- ``wsd_explorer``: a Warmup-Stable-Decay schedule, decays branched off its stable phase
  and a cosine of the same length (assignment ``08_beyond``).
"""
