"""Tests against a real single-node SLURM cluster (slurm_up.sh / slurm_down.sh) and the profiles."""
