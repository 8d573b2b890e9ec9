"""dkimpy as an independent oracle for Sekisho's DKIM tests (DNS answers come from the command line).

verify MESSAGE NAME=TXT...   exit 0 when every signature verifies, 1 otherwise
sign MESSAGE KEY DOMAIN SELECTOR   print the DKIM-Signature field dkimpy creates (relaxed/relaxed)
arcverify MESSAGE NAME=TXT...   print the ARC chain validation (cv=); exit 0 when it is pass
"""
import sys
import dkim


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    with open(path, 'rb') as f:
        message = f.read()
    if cmd == 'verify':
        records = dict(a.split('=', 1) for a in sys.argv[3:])

        def dnsfunc(name, timeout=5):
            return records.get(name.decode('ascii').rstrip('.'), '').encode('ascii')

        d = dkim.DKIM(message)
        count = message.count(b'DKIM-Signature:')
        ok = all(d.verify(idx=i, dnsfunc=dnsfunc) for i in range(count)) and count > 0
        print('pass' if ok else 'fail')
        sys.exit(0 if ok else 1)
    if cmd == 'arcverify':
        records = dict(a.split('=', 1) for a in sys.argv[3:])

        def arcdns(name, timeout=5):
            return records.get(name.decode('ascii').rstrip('.'), '').encode('ascii')

        cv, results, comment = dkim.arc_verify(message, dnsfunc=arcdns)
        print(cv.decode('ascii'), comment)
        sys.exit(0 if cv == b'pass' else 1)
    if cmd == 'sign':
        with open(sys.argv[3], 'rb') as f:
            key = f.read()
        sig = dkim.sign(message, sys.argv[5].encode(), sys.argv[4].encode(), key,
                        canonicalize=(b'relaxed', b'relaxed'), include_headers=[b'from', b'to', b'subject', b'date'])
        sys.stdout.write(sig.decode('ascii'))
        return
    sys.exit(2)


main()
