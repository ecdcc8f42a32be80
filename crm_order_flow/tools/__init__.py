from .sms_segments import sms_segments
