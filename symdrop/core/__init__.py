"""The numeric core: the one exact forward pass, derivations as data, the ensemble mean, MC, verify."""
