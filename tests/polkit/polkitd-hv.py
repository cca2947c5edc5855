# SPDX-License-Identifier: LGPL-2.1-or-later
'''polkitd mock for hypervisord's tests: python-dbusmock's polkitd template
plus two behaviours it lacks.

- SetChallenge(as): for these actions polkit "would ask for a password". A
  call without AllowUserInteraction (flag 1) gets (false, true, {}), the
  answer that makes a service reply InteractiveAuthorizationRequired; a call
  with the flag gets (true, false, {}), as if the user typed the password.
- SetError(as): for these actions CheckAuthorization fails with a D-Bus error,
  as a broken polkitd would.
- SetNeverAnswer(as): for these actions CheckAuthorization never answers, as
  when an authentication agent shows a dialog nobody answers. GetWaiting()
  lists the cancellation ids of such checks still waiting.
- CancelCheckAuthorization(s), as polkitd has it: the waiting check with that
  cancellation id fails with org.freedesktop.PolicyKit1.Error.Cancelled.
  GetCancelled() lists every id it was called with, in order.

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
    mock.never_answer_actions = []
    mock.waiting = []  # (cancellation id, err_cb) of the checks that never answer
    mock.cancelled = []


@dbus.service.method(MAIN_IFACE,  # noqa: F405
                     in_signature='(sa{sv})sa{ss}us',
                     out_signature='(bba{ss})',
                     async_callbacks=('ok_cb', 'err_cb'))
def CheckAuthorization(self, subject, action_id, details, flags, cancellation_id, ok_cb, err_cb):
    if action_id in self.never_answer_actions:
        self.waiting.append((str(cancellation_id), err_cb))
    elif action_id in self.error_actions:
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


@dbus.service.method(MOCK_IFACE, in_signature='as', out_signature='')
def SetNeverAnswer(self, actions):
    '''Actions for which CheckAuthorization never answers'''
    self.never_answer_actions = actions


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='as')
def GetWaiting(self):
    '''Cancellation ids of the checks that wait for an answer'''
    return dbus.Array([waiting_id for (waiting_id, _) in self.waiting], signature='s')


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='as')
def GetCancelled(self):
    '''Every cancellation id CancelCheckAuthorization was called with'''
    return dbus.Array(self.cancelled, signature='s')


@dbus.service.method(MAIN_IFACE, in_signature='s', out_signature='')  # noqa: F405
def CancelCheckAuthorization(self, cancellation_id):
    self.cancelled.append(str(cancellation_id))
    for (waiting_id, err_cb) in self.waiting:
        if waiting_id == cancellation_id:
            self.waiting.remove((waiting_id, err_cb))
            err_cb(dbus.exceptions.DBusException('the check was cancelled',
                                                 name='org.freedesktop.PolicyKit1.Error.Cancelled'))
            break
