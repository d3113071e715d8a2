"""The annual review (年审) wizard: collecting reports, assessing them, the public listing."""
