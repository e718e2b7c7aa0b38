"""Training and export of the learned upscaling tier (Learned-S / Learned-M).

The player never imports this package: it only runs the GLSL that `training.export`
writes into player/shipped/shaders/learned/. `training.infer_numpy` is the one torch-free module here; it
is what tests and the quality harness use to know what the shipped shaders compute.
"""
