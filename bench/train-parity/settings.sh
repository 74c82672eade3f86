# shellcheck shell=bash
# The per-model settings every train-parity script runs with (sourced by run.sh, step.sh and before_after.sh):
# experiment, epochs, batch, lr, weight decay, plateau patience.
# vit_micro uses weight decay 0: with the template's 0.01 (Adam's L2) it learns nothing (spectral-models.md).
declare -A exp=([cnn_micro]=trivial_micro_large [cnn_tiny]=trivial_tiny_large [vit_micro]=trivial_vit_micro_large)
declare -A epochs=([cnn_micro]=10 [cnn_tiny]=15 [vit_micro]=15)
declare -A batch=([cnn_micro]=64 [cnn_tiny]=64 [vit_micro]=64)
declare -A lr=([cnn_micro]=0.003 [cnn_tiny]=0.002 [vit_micro]=0.003)
declare -A wd=([cnn_micro]=0.01 [cnn_tiny]=0.001 [vit_micro]=0)
declare -A patience=([cnn_micro]=3 [cnn_tiny]=5 [vit_micro]=3)
