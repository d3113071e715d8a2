"""Holiday schedules: the State Council's notice read, stored, shared and in force.

- ``schedule``: a year's days off and make-up working days (``HolidaySchedule``).
- ``notice``: the notice's text parsed and cross-checked (``parse_notice``).
- ``files``: a notice from a .txt or .docx file; the exchange file (JSON) one office
  passes to another.
- ``service``: a year saved in the register (and every running clock recomputed),
  the schedule in force for a year and where it comes from.
"""
