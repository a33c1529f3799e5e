"""LTI 1.3 Advantage: login, launch validation, deep linking, dynamic registration, platform storage.

Plain modules except `session` (Flask glue). The only module that imports pylti1p3 is `adapter`.
"""
