#!/usr/bin/python3
"""Send QMP commands to a QEMU and print every message it sends back, one JSON per line.

Usage: qmp-call.py [--timeout S] [--linger S | --until-close | --wait-event NAME] SOCKET COMMAND...

Each COMMAND is a QMP command name, optionally followed by ':' and its arguments as a
JSON object, e.g. 'system_powerdown' or 'device_del:{"id": "disk1"}'. The commands run in
order after capabilities negotiation; each must succeed. Events that arrive meanwhile are
printed too. Afterwards the script keeps printing events for --linger seconds, until
QEMU closes the socket with --until-close, or until the event NAME arrives (or arrived
while the commands ran) with --wait-event.

Exit status: 0 success, 1 a command failed, 2 time-out (--timeout bounds the whole run),
3 cannot connect.
"""

import json
import socket
import sys
import time


def fail(status, message):
    print(f"qmp-call: {message}", file=sys.stderr)
    sys.exit(status)


class Qmp:
    def __init__(self, path, deadline):
        self.deadline = deadline
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError) as error:
                if time.monotonic() > deadline:
                    fail(3, f"cannot connect to '{path}': {error}")
                time.sleep(0.02)
        self.buffer = b""
        self.events_seen = set()

    def read_message(self):
        """Next message, or None once QEMU closed the socket."""
        while b"\n" not in self.buffer:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError from None
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        message = json.loads(line)
        print(json.dumps(message), flush=True)
        if "event" in message:
            self.events_seen.add(message["event"])
        return message

    def execute(self, command, arguments=None):
        request = {"execute": command}
        if arguments is not None:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            message = self.read_message()
            if message is None:
                fail(1, f"QEMU closed the connection before answering '{command}'")
            if "return" in message:
                return
            if "error" in message:
                fail(1, f"'{command}' failed: {message['error'].get('desc')}")


def main(argv):
    timeout = 30.0
    linger = 0.0
    until_close = False
    wait_event = None
    args = argv[1:]
    while args and args[0].startswith("--"):
        option = args.pop(0)
        if option == "--timeout":
            timeout = float(args.pop(0))
        elif option == "--linger":
            linger = float(args.pop(0))
        elif option == "--until-close":
            until_close = True
        elif option == "--wait-event":
            wait_event = args.pop(0)
        else:
            fail(1, f"unknown option '{option}'")
    if len(args) < 1:
        fail(1, "usage: qmp-call.py [--timeout S] [--linger S | --until-close | --wait-event NAME] SOCKET COMMAND...")

    path = args[0]
    commands = []
    for spec in args[1:]:
        name, _, arguments = spec.partition(":")
        commands.append((name, json.loads(arguments) if arguments else None))

    qmp = Qmp(path, time.monotonic() + timeout)
    try:
        greeting = qmp.read_message()
        if greeting is None or "QMP" not in greeting:
            fail(1, "no QMP greeting")
        qmp.execute("qmp_capabilities")
        for name, arguments in commands:
            qmp.execute(name, arguments)
        if wait_event is not None:
            while wait_event not in qmp.events_seen:
                if qmp.read_message() is None:
                    fail(1, f"QEMU closed the connection before event '{wait_event}'")
        elif until_close:
            while qmp.read_message() is not None:
                pass
        elif linger > 0:
            qmp.deadline = min(qmp.deadline, time.monotonic() + linger)
            try:
                while qmp.read_message() is not None:
                    pass
            except TimeoutError:
                pass
    except TimeoutError:
        if wait_event is not None:
            fail(2, f"no event '{wait_event}' within {timeout} s")
        fail(2, f"time-out after {timeout} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
