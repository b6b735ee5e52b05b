"""The Faust app and its agents: wiring only, the logic lives in ``monitor``."""
