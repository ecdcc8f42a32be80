from . import base_automation_dry_run
