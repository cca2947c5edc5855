#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks the conventions of the interface XML that gdbus-codegen and xmllint
# do not: every interface, method, property and signal carries a gtk-doc style
# comment right above it whose symbol is its name, with a '@since:' tag and an
# '@arg:' line for each of its arguments; every method ends with
# 'a{sv} options'; every property is read-only. Exits 1 and names each
# offence, so that an undocumented member fails the test suite.
#
# Only the standard library is used (any python3 works).

import sys
import xml.parsers.expat


class Checker:
    def __init__(self, path):
        self.path = path
        self.problems = []
        self.last_doc = None          # (symbol, params) of the latest doc comment
        self.stack = []               # [(kind, name, doc, args)]
        self.counts = {'interface': 0, 'method': 0, 'property': 0, 'signal': 0}

        parser = xml.parsers.expat.ParserCreate()
        parser.CommentHandler = self.on_comment
        parser.StartElementHandler = self.on_start
        parser.EndElementHandler = self.on_end
        with open(path, 'rb') as f:
            parser.ParseFile(f)

    def problem(self, what):
        self.problems.append(f'{self.path}: {what}')

    def on_comment(self, data):
        # Same reading as gdbus-codegen: the first non-empty line is 'Symbol:'
        # (or 'Symbol: text'), followed by '@param: text' lines.
        lines = [l.strip() for l in data.split('\n')]
        while lines and not lines[0]:
            lines.pop(0)
        if not lines:
            return
        first = lines[0]
        if first.endswith(':') and ': ' not in first:
            symbol = first[:-1]
        elif ': ' in first:
            symbol = first.split(': ', 1)[0]
        else:
            return
        params = {}
        for l in lines[1:]:
            if not l.startswith('@') or ': ' not in l:
                break
            name, text = l[1:].split(': ', 1)
            params[name] = text.strip()
        self.last_doc = (symbol, params)

    def on_start(self, name, attrs):
        if name in self.counts:
            member = attrs.get('name', '')
            self.counts[name] += 1
            doc = None
            if self.last_doc and self.last_doc[0] == member:
                doc = self.last_doc[1]
            else:
                self.problem(f"{name} '{member}' has no doc comment starting with '{member}:'")
            if doc is not None and not doc.get('since'):
                self.problem(f"{name} '{member}' has no '@since:' tag")
            if name == 'property':
                if attrs.get('access') != 'read':
                    self.problem(f"property '{member}' is not read-only")
                if not attrs.get('type'):
                    self.problem(f"property '{member}' has no type")
            self.stack.append((name, member, doc, []))
            self.last_doc = None
        elif name == 'arg':
            if not self.stack or self.stack[-1][0] not in ('method', 'signal'):
                self.problem('arg outside a method or signal')
                return
            kind, member, doc, args = self.stack[-1]
            arg = attrs.get('name')
            if not arg:
                self.problem(f"{kind} '{member}' has an argument without a name")
                return
            if kind == 'method' and attrs.get('direction') not in ('in', 'out'):
                self.problem(f"method '{member}' argument '{arg}' has no direction")
            if doc is not None and not doc.get(arg):
                self.problem(f"{kind} '{member}' argument '{arg}' is not documented (@{arg}:)")
            args.append((arg, attrs.get('direction', 'in'), attrs.get('type')))

    def on_end(self, name):
        if name not in self.counts:
            return
        kind, member, doc, args = self.stack.pop()
        if kind == 'method':
            in_args = [a for a in args if a[1] == 'in']
            if not in_args or in_args[-1][0] != 'options' or in_args[-1][2] != 'a{sv}':
                self.problem(f"method '{member}' does not end with 'a{{sv}} options'")


def main(paths):
    failed = False
    for path in paths:
        c = Checker(path)
        for p in c.problems:
            print(p, file=sys.stderr)
        failed = failed or bool(c.problems)
        if c.counts['interface'] == 0:
            print(f'{path}: no interface', file=sys.stderr)
            failed = True
        print(f"{path}: {c.counts['interface']} interface(s), {c.counts['method']} methods, "
              f"{c.counts['property']} properties, {c.counts['signal']} signals"
              + (': FAILED' if c.problems else ': ok'))
    return 1 if failed else 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        print(f'usage: {sys.argv[0]} FILE.xml...', file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
