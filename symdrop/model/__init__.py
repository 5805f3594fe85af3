"""The model: specs, networks and layers, activations, dropout conventions."""
