"""Representative publiccode.yml files, written as public bodies write them (a Greek municipality's v0.4 file
with two languages; an Italian-style v0.2 file; a broken indentation; one with the fields left out; one with
a licence that is not SPDX and one with a deprecated identifier)."""

VALID = """\
publiccodeYmlVersion: "0.4"
name: Δημοτικές Συγκοινωνίες
url: "https://git.example.eu/thessaloniki/bus-arrivals.git"
landingURL: "https://bus.thessaloniki.example.eu"
releaseDate: "2026-06-01"
platforms: [web, android]
categories: [it-development]
developmentStatus: beta
softwareType: "standalone/web"
legal:
  license: EUPL-1.2 OR MIT
  mainCopyrightOwner: Δήμος Θεσσαλονίκης
maintenance:
  type: community
localisation:
  localisationReady: true
  availableLanguages: [el, en]
description:
  el:
    shortDescription: Αφίξεις λεωφορείων σε πραγματικό χρόνο ως ανοικτά δεδομένα.
    longDescription: >
      Δημοσιεύει ροές GTFS-RT για κάθε στάση.
    features: [GTFS-RT, ανοικτά δεδομένα]
  en:
    shortDescription: Real-time bus arrivals as open data.
    longDescription: >
      Publishes GTFS-RT feeds for every stop, with a page per stop.
    features: [GTFS-RT feeds, stop pages]
"""

OLD_VERSION_VALID = """\
publiccodeYmlVersion: '0.2'
name: Pagamenti Comunali
url: https://code.example.it/comune/pagamenti
legal:
  license: agpl-3.0-or-later
maintenance:
  type: contract
localisation:
  availableLanguages:
    - it
description:
  it:
    shortDescription: Pagamenti online per i servizi comunali.
"""

NOT_YAML = """\
publiccodeYmlVersion: "0.4"
name: Broken
  url: https://example.org
 legal: [unclosed
"""

MISSING_FIELDS = """\
publiccodeYmlVersion: "0.4"
name: ""
maintenance: {}
description:
  en:
    longDescription: Only the long one.
"""

WRONG_LICENCE = """\
publiccodeYmlVersion: "0.4"
name: Proprietary Portal
url: ftp://files.example.org/portal
legal:
  license: Proprietary-Licence-1.0
maintenance:
  type: sometimes
localisation:
  availableLanguages: English
description:
  en:
    shortDescription: A portal.
"""

DEPRECATED_LICENCE = VALID.replace("EUPL-1.2 OR MIT", "GPL-2.0+")
