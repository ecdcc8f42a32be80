from . import sms_club_test_message
