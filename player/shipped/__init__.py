"""What the player ships besides code: the default profiles.yaml and our tiers' shaders.

No code lives here; the folder is a package so that a wheel carries it as package data and
``player.base.paths`` finds it through importlib.resources, installed or in a checkout.
"""
