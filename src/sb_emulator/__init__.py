"""sb-emulator: a local emulator of the State Backed API.

Layering (see ARCHITECTURE in the README): errors/clock/ids -> engine -> machines/auth/store
base -> store implementations -> service -> web -> config/cli/testing -> pytest plugin.
"""

__version__ = "0.1.0"
