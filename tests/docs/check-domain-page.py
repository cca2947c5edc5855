#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keeps hypervisord-domain(5) true.

Every example of the page (an .EX/.EE block; those under SYNOPSIS aside) is
followed by its verdict, a line the reader sees, in one of these forms:

    \\fI[in <devices>] QEMU takes it; cloud\\-hypervisor refuses it, saying \\(lq<watchdog>\\(rq.\\fP
    \\fI[in <domain>] QEMU and cloud\\-hypervisor take it.\\fP
    \\fI[a whole document] QEMU and cloud\\-hypervisor refuse it.\\fP

[in <devices>], [in <domain>], [in <os>]: the example goes there in a small
document (in <os>, that document's <kernel> is left out); [a whole document]:
it is one. An engine 'takes it': DefineVM with that engine succeeds; 'refuses
it': DefineVM fails with NotSupported, InvalidArgument, InvalidXML or
AccessDenied, and its message contains the text after 'saying', if any.

Two commands:

  names PAGE SOURCE_ROOT every element name the XML reader knows (the names it
                         compares element names with, in SOURCE_ROOT's
                         service/domain-xml*.c and kvm-engine/vm-platform.c) is in
                         a checked example of the page, and every attribute name
                         it reads is in the page as name=.
  define PAGE            defines each example on the daemon of the session bus
                         (tests/client/with-hypervisord.sh) with each engine and
                         compares the outcome with the verdict.

Either fails listing every disagreement.
"""

import os
import re
import sys

ENGINES = {'qemu': 'qemu', 'ch': 'cloud-hypervisor'}
REFUSALS = ('NotSupported', 'InvalidArgument', 'InvalidXML', 'AccessDenied')
VERDICT = re.compile(r'^\[(?:in <(?P<place>devices|domain|os)>|(?P<document>a whole document))\] '
                     r'(?:QEMU and cloud-hypervisor (?P<both>take|refuse) it|'
                     r'QEMU (?P<qemu>takes|refuses) it; cloud-hypervisor (?P<ch>takes|refuses) it)'
                     r'(?:, saying \u201c(?P<error>.+)\u201d)?\.$')


def unescape(line):
    """The text groff prints for the few escapes the examples and verdicts use."""
    for escape, text in (('\\(aq', "'"), ('\\(lq', '\u201c'), ('\\(rq', '\u201d'), ('\\fI', ''),
                         ('\\fP', ''), ('\\-', '-'), ('\\&', ''), ('\\e', '\\')):
        line = line.replace(escape, text)
    return line


class Example:
    def __init__(self, line, fields, text):
        self.line = line  # of the verdict, in the page
        self.fields = fields  # 'in', 'qemu', 'ch' ('yes' or 'no'), maybe 'error'
        self.text = text

    def __str__(self):
        first = self.text.strip().splitlines()[0]
        return f'page line {self.line} ({first.strip()[:60]})'


def read_verdict(line):
    """The fields of a verdict line, or None."""
    match = VERDICT.match(unescape(line))
    if not match:
        return None
    fields = {'in': match.group('place') or 'document'}
    for key in ENGINES:
        said = match.group('both') or match.group(key)
        fields[key] = 'yes' if said in ('take', 'takes') else 'no'
    if match.group('error') is not None:
        if 'no' not in fields.values():
            return None
        fields['error'] = match.group('error')
    return fields


def read_examples(page):
    """The checked examples of the page; an example without a verdict, or a verdict that
    does not read, is an error, never skipped."""
    with open(page, encoding='utf-8') as f:
        lines = f.read().splitlines()
    examples, problems = [], []
    section = ''
    i = 0
    while i < len(lines):
        if lines[i].startswith('.SH '):
            section = lines[i][4:].strip('"')
        if lines[i] != '.EX':
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end] != '.EE':
            end += 1
        if end == len(lines):
            problems.append(f'page line {i + 1}: .EX without .EE')
            break
        text = '\n'.join(unescape(line) for line in lines[i + 1:end])
        if section != 'SYNOPSIS':
            after = lines[end + 1] if end + 1 < len(lines) else ''
            fields = read_verdict(after)
            if fields is None:
                problems.append(f'page line {end + 2}: the example of line {i + 1} needs a verdict after .EE, '
                                f'e.g. "\\fI[in <devices>] QEMU takes it; cloud\\-hypervisor refuses it.\\fP" '
                                f'(see {os.path.basename(__file__)}), not {after!r}')
            else:
                examples.append(Example(end + 2, fields, text))
        i = end + 1
    if not examples:
        problems.append(f'{page}: no checked example')
    return examples, problems


# ---- names: the reader's element and attribute names are in the page ----

ARRAY = re.compile(r'const char \*(?:const )?(\w+)\[\w*\] = \{(.*?)\};', re.S)
STRING = re.compile(r'"([A-Za-z_][A-Za-z0-9_.:-]*)"')
CALL_ELEMENT = re.compile(r'\b(?:xml_is_element|xml_fail_missing)\(\s*[^,]+,\s*[^,]*?"([A-Za-z_][\w-]*)"')
CALL_ATTRIBUTE = re.compile(r'\b(?:xml_attr_value|xml_attr_choice|xml_attr_uint32|attr_switch|attr_required|attr_number|attr_enum|'
                            r'parse_count|parse_pci_field)'
                            r'\(\s*[^,]+,\s*"([A-Za-z_][\w-]*)"')


def reader_names(sources):
    """(elements, attributes) the reader compares names with, from its C sources. Elements:
    the arrays named *children (and vm_hyperv_feature_names, the children of <hyperv>),
    xml_is_element() and xml_fail_missing(). Attributes: the arrays named *attributes, and
    the readers of one attribute (xml_attr_value(), xml_attr_choice(), attr_switch(),
    attr_number()...)."""
    elements, attributes = set(), set()
    for source in sources:
        with open(source, encoding='utf-8') as f:
            code = f.read()
        for name, body in ARRAY.findall(code):
            if name.endswith('children') or name == 'vm_hyperv_feature_names':
                elements.update(STRING.findall(body))
            elif name.endswith('attributes'):
                attributes.update(STRING.findall(body))
        elements.update(CALL_ELEMENT.findall(code))
        attributes.update(CALL_ATTRIBUTE.findall(code))
    return elements, attributes


def reader_sources(root):
    """The XML reader's files: a new service/domain-xml-*.c is read without a change here."""
    service = os.path.join(root, 'service')
    sources = sorted(os.path.join(service, name) for name in os.listdir(service)
                     if name.startswith('domain-xml') and name.endswith('.c'))
    return sources + [os.path.join(root, 'kvm-engine', 'vm-platform.c')]


def check_names(page, root):
    sources = reader_sources(root)
    examples, problems = read_examples(page)
    elements, attributes = reader_names(sources)
    if len(elements) < 20 or len(attributes) < 20:
        problems.append(f'found only {len(elements)} element and {len(attributes)} attribute names in '
                        f'{" ".join(sources)}: has the reader changed its form? (see reader_names())')
    with open(page, encoding='utf-8') as f:
        text = unescape(f.read())
    in_examples = '\n'.join(example.text for example in examples)
    for element in sorted(elements):
        if not re.search(r'<' + re.escape(element) + r'[\s/>]', in_examples):
            problems.append(f'the reader knows <{element}>, which no checked example of the page shows')
    for attribute in sorted(attributes):
        if not re.search(r'(?<![\w-])' + re.escape(attribute) + r'=', text):
            problems.append(f'the reader reads the attribute {attribute}=, which the page does not name')
    for problem in problems:
        print('FAIL:', problem)
    print(f'{len(elements)} element names and {len(attributes)} attribute names of the reader, '
          f'{len(examples)} checked examples')
    return not problems


# ---- define: each example on both engines ----

def document(example, engine):
    place = example.fields['in']
    if place == 'document':
        return example.text
    os_children = "<type arch='x86_64'>hvm</type>"
    if place == 'os':
        os_children += example.text
    else:
        os_children += '<kernel>vmlinux</kernel>'
    domain_type = 'qemu' if engine == 'qemu' else 'kvm'
    return (f"<domain type='{domain_type}'>\n<name>page-check</name>\n<memory unit='MiB'>256</memory>\n"
            f"<vcpu>1</vcpu>\n<os>{os_children}</os>\n" + (example.text + '\n' if place == 'domain' else '') +
            '<devices>\n' + (example.text + '\n' if place == 'devices' else '') + '</devices>\n</domain>\n')


def check_define(page):
    import gi
    gi.require_version('Gio', '2.0')
    from gi.repository import GLib, Gio

    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)

    def call(path, interface, method, args):
        return bus.call_sync('org.example.Hypervisor', path, interface, method, args, None,
                             Gio.DBusCallFlags.NONE, 60000, None)

    def define(xml, engine):
        """(True, path) or (False, error name, message)."""
        try:
            reply = call('/org/example/Hypervisor', 'org.example.Hypervisor.Manager', 'DefineVM',
                         GLib.Variant('(sa{sv})', (xml, {'engine': GLib.Variant('s', engine)})))
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e) or ''
            prefix = f'GDBus.Error:{name}: '
            return False, name, e.message[len(prefix):] if e.message.startswith(prefix) else e.message
        path = reply.unpack()[0]
        call(path, 'org.example.Hypervisor.VM', 'Delete', GLib.Variant('(a{sv})', ({},)))
        return True, path

    examples, problems = read_examples(page)
    # The frame alone defines on both engines: a refusal below is the example's.
    frame = Example(0, {'in': 'devices'}, '')
    for key, engine in ENGINES.items():
        outcome = define(document(frame, key), engine)
        if not outcome[0]:
            problems.append(f'the frame of the examples does not define on {engine}: {outcome[2]}')
    if problems:
        for problem in problems:
            print('FAIL:', problem)
        return False

    for example in examples:
        for key, engine in ENGINES.items():
            xml = document(example, key)
            outcome = define(xml, engine)
            said = example.fields[key]
            if said == 'yes' and not outcome[0]:
                problems.append(f'{example}: the page says {engine} takes it, DefineVM refused it: '
                                f'{outcome[1]}: {outcome[2]}')
            elif said == 'no' and outcome[0]:
                problems.append(f'{example}: the page says {engine} refuses it, DefineVM took it')
            elif said == 'no':
                name, message = outcome[1], outcome[2]
                if not name.endswith(REFUSALS):
                    problems.append(f'{example}: {engine} refused it, but not as a refusal of the document: '
                                    f'{name}: {message}')
                elif 'error' in example.fields and example.fields['error'] not in message:
                    problems.append(f'{example}: {engine} refused it without saying '
                                    f'{example.fields["error"]!r}: {message}')
                else:
                    print(f'ok: {example}: {engine} refuses it: {message}')
            else:
                print(f'ok: {example}: {engine} takes it')
    for problem in problems:
        print('FAIL:', problem)
    print(f'{len(examples)} examples, {len(examples) * len(ENGINES)} definitions, {len(problems)} disagreements')
    return not problems


def main(argv):
    if len(argv) == 3 and argv[0] == 'names':
        return 0 if check_names(argv[1], argv[2]) else 1
    if len(argv) == 2 and argv[0] == 'define':
        if not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
            print('FAIL: no session bus: run under tests/client/with-hypervisord.sh')
            return 1
        return 0 if check_define(argv[1]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
