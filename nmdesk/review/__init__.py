"""The annual review (年审): campaign, packets, assessment and the public listing (公示).

BIT clause 14: every December each unit checks its own accounts and submits its
materials; the office updates the public listing and marks the units that did
not submit or failed. PKU-CoE clause 7 adds the clean-up of duplicate and
inactive accounts under total-quantity control. The logic lives here, without
Qt or SQL; storage is ``register.reviews`` (``nmdesk.store.reviews``).
"""
