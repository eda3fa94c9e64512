#!/usr/bin/env python3
"""Writes umockdev device files (umockdev-run --device F) for USB phones:
sysfs attributes plus the raw device + configuration descriptors that
libusb reads. Usage: mk_umockdev.py OUTDIR. Cases (bus 1):
  1-2 PIXEL123   composite MTP (iface 0) + ADB ff/42/01 (iface 1), bulk 512
  1-3 OLD64      ADB alone, full speed, bulk 64, endpoints listed OUT first
  1-4 (none)     ADB with no serial anywhere -> "usb:1-4"
  1-5 MTPONLY    MTP only: not an ADB device
  1-6 HALFADB    ff/42/01 with one bulk IN and an interrupt OUT: not usable
  1-7 FASTBOOT   ff/42/03 (fastboot): not ADB
"""
import os
import struct
import sys


def dev(vid, pid, iserial):
    return struct.pack('<BBHBBBBHHHBBBB', 18, 1, 0x0200, 0, 0, 0, 64, vid, pid, 0x0440,
                       1, 2, iserial, 1)


def iface(num, n_ep, cls, sub, proto, alt=0):
    return struct.pack('<BBBBBBBBB', 9, 4, num, alt, n_ep, cls, sub, proto, 0)


def ep(addr, attr, mps):
    return struct.pack('<BBBBHB', 7, 5, addr, attr, mps, 0)


def config(body, n_if):
    return struct.pack('<BBHBBBBB', 9, 2, 9 + len(body), n_if, 1, 0, 0x80, 0xfa) + body


MTP = iface(0, 3, 6, 1, 1) + ep(0x81, 2, 512) + ep(0x01, 2, 512) + ep(0x82, 3, 28)
CASES = [
    ('1-2', 2, 'PIXEL123', 0x18d1, 0x4ee7, 3,
     config(MTP + iface(1, 2, 0xff, 0x42, 1) + ep(0x83, 2, 512) + ep(0x02, 2, 512), 2)),
    ('1-3', 3, 'OLD64', 0x0bb4, 0x0c02, 3,
     config(iface(0, 2, 0xff, 0x42, 1) + ep(0x01, 2, 64) + ep(0x81, 2, 64), 1)),
    ('1-4', 4, None, 0x2717, 0xff48, 0,
     config(iface(0, 2, 0xff, 0x42, 1) + ep(0x81, 2, 512) + ep(0x01, 2, 512), 1)),
    ('1-5', 5, 'MTPONLY', 0x04e8, 0x6860, 3, config(MTP, 1)),
    ('1-6', 6, 'HALFADB', 0x1234, 0x0001, 3,
     config(iface(0, 2, 0xff, 0x42, 1) + ep(0x81, 2, 512) + ep(0x02, 3, 64), 1)),
    ('1-7', 7, 'FASTBOOT', 0x18d1, 0x4ee0, 3,
     config(iface(0, 2, 0xff, 0x42, 3) + ep(0x81, 2, 512) + ep(0x01, 2, 512), 1)),
]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for port, addr, serial, vid, pid, iserial, cfg in CASES:
        lines = [
            'P: /devices/pci0000:00/0000:00:14.0/usb1/%s' % port,
            'N: bus/usb/001/%03d' % addr,
            'E: DEVNAME=/dev/bus/usb/001/%03d' % addr,
            'E: DEVTYPE=usb_device',
            'E: DRIVER=usb',
            'E: PRODUCT=%x/%x/440' % (vid, pid),
            'E: TYPE=0/0/0',
            'E: BUSNUM=001',
            'E: DEVNUM=%03d' % addr,
            'E: MAJOR=189',
            'E: MINOR=%d' % (addr - 1),
            'E: SUBSYSTEM=usb',
            'A: busnum=1',
            'A: devnum=%d' % addr,
            'A: idVendor=%04x' % vid,
            'A: idProduct=%04x' % pid,
            'A: speed=%s' % ('12' if port == '1-3' else '480'),
            'A: bConfigurationValue=1',
        ]
        if serial:
            lines.append('A: serial=%s' % serial)
        lines.append('H: descriptors=%s' % (dev(vid, pid, iserial) + cfg).hex())
        with open(os.path.join(out, port + '.umockdev'), 'w') as f:
            f.write('\n'.join(lines) + '\n')


main()
