#!/usr/bin/env python3
"""Generates a contacts CSV for the import benchmark (scripts/bench-import) and for trying imports.

8 columns: email,first_name,last_name,phone,company_domain,locale,timezone,sms_consent.
Values need normalising the way real exports do: mixed-case emails, US phone numbers in national
formats (`(415) 734-0012`, `415.734.0012`, `4157340012`, `+1 415 734 0012`; import with the
organisation's default_phone_region set to US), domains in mixed case.
About 5% of the rows are invalid (a bad email, a bad phone, an unknown consent value or a wrong
column count) and 10% repeat the key of an earlier row (another case, another phone format), so
they update the contact that row created. Deterministic for a given --seed.

Usage: scripts/gen-contacts-csv.py --rows 1000000 --out /tmp/contacts-1m.csv [--seed 1]
"""

import argparse
import random

FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
         "Radia", "John", "Katherine", "Tim", "Hedy", "Guido", "Sophie", "Niklaus", "Lynn", "Bjarne"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
        "Dijkstra", "Perlman", "McCarthy", "Johnson", "Berners-Lee", "Lamarr", "van Rossum", "Wilson",
        "Wirth", "Conway", "Stroustrup"]
AREA = ["212", "303", "312", "415", "512", "617", "646", "702", "718", "805", "917", "206"]
LOCALES = ["en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "pt-BR"]
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]
CONSENT = ["opted_in", "opted_out", "unknown", ""]


def phone_digits(i):
    """A distinct valid US number per row index (12 area codes × 800 exchanges × 10,000 lines)."""
    line = i % 10000
    exchange = 200 + (i // 10000) % 800
    area = AREA[(i // 8_000_000) % len(AREA)]
    return area, f"{exchange:03d}", f"{line:04d}"


def phone_text(i, style):
    a, e, l = phone_digits(i)
    return [f"({a}) {e}-{l}", f"{a}.{e}.{l}", f"{a}{e}{l}", f"+1 {a} {e} {l}", f"{a}-{e}-{l}"][style % 5]


def email_text(i, style):
    first, last = FIRST[i % len(FIRST)], LAST[(i // 20) % len(LAST)].replace(" ", "")
    local = f"{first}.{last}{i}"
    domain = f"Company{i % 997}.com"
    if style % 3 == 0:
        return f"{local}@{domain}"
    if style % 3 == 1:
        return f"{local}@{domain}".lower()
    return f"{local}@{domain}".upper()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    rnd = random.Random(args.seed)
    with open(args.out, "w", newline="") as f:
        f.write("email,first_name,last_name,phone,company_domain,locale,timezone,sms_consent\n")
        out = []
        for n in range(args.rows):
            r = rnd.random()
            # 10% duplicates: the key of an earlier row, in another case and phone format.
            i = rnd.randrange(n) if n > 0 and r < 0.10 else n
            style = rnd.randrange(15)
            email = email_text(i, style)
            phone = phone_text(i, style)
            first, last = FIRST[i % len(FIRST)], LAST[(i // 20) % len(LAST)]
            domain = f"Company{i % 997}.COM" if style % 2 else f"company{i % 997}.com"
            locale, zone = LOCALES[i % len(LOCALES)], ZONES[i % len(ZONES)]
            consent = CONSENT[i % len(CONSENT)]
            bad = rnd.random()
            if bad < 0.05:  # 5% invalid rows
                kind = int(bad / 0.0125)
                if kind == 0:
                    email = email.replace("@", " at ")
                elif kind == 1:
                    phone = "12-34"
                elif kind == 2:
                    consent = "maybe"
                else:
                    out.append(f"{email},{first}\n")
                    continue
            out.append(f"{email},{first},{last},{phone},{domain},{locale},{zone},{consent}\n")
            if len(out) >= 10000:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))


if __name__ == "__main__":
    main()
