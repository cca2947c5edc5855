# SPDX-License-Identifier: LGPL-2.1-or-later
'''polkitd mock for hypervisord's tests: python-dbusmock's polkitd template
plus two behaviours it lacks.

- SetChallenge(as): for these actions polkit "would ask for a password". A
  call without AllowUserInteraction (flag 1) gets (false, true, {}), the
  answer that makes a service reply InteractiveAuthorizationRequired; a call
  with the flag gets (true, false, {}), as if the user typed the password.
- SetError(as): for these actions CheckAuthorization fails with a D-Bus error,
  as a broken polkitd would.

Everything else (SetAllowed, SimulateHangActions, ReleaseHangingCalls, the
call log of the Mock interface) is the shipped template's.
'''

import dbus

from dbusmock import MOCK_IFACE
from dbusmock.templates import polkitd as _stock
# The shipped template's methods, constants and load(); overridden below where needed.
from dbusmock.templates.polkitd import *  # noqa: F401,F403 pylint: disable=wildcard-import,unused-wildcard-import

ALLOW_USER_INTERACTION = 1


def load(mock, parameters):
    _stock.load(mock, parameters)
    mock.challenge_actions = []
    mock.error_actions = []


@dbus.service.method(MAIN_IFACE,  # noqa: F405
                     in_signature='(sa{sv})sa{ss}us',
                     out_signature='(bba{ss})',
                     async_callbacks=('ok_cb', 'err_cb'))
def CheckAuthorization(self, subject, action_id, details, flags, cancellation_id, ok_cb, err_cb):
    if action_id in self.error_actions:
        err_cb(dbus.exceptions.DBusException('mock polkitd failed on purpose',
                                             name='org.freedesktop.PolicyKit1.Error.Failed'))
    elif action_id in self.challenge_actions:
        if flags & ALLOW_USER_INTERACTION:
            ok_cb((True, False, {}))
        else:
            ok_cb((False, True, {}))
    else:
        _stock.CheckAuthorization(self, subject, action_id, details, flags, cancellation_id, ok_cb, err_cb)


@dbus.service.method(MOCK_IFACE, in_signature='as', out_signature='')
def SetChallenge(self, actions):
    '''Actions that need a password (interactive authorization)'''
    self.challenge_actions = actions


@dbus.service.method(MOCK_IFACE, in_signature='as', out_signature='')
def SetError(self, actions):
    '''Actions for which CheckAuthorization fails'''
    self.error_actions = actions
