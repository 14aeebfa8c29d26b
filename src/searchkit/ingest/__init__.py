"""Bringing articles in: sources read and imported in batches (:mod:`.importer`),
and the bundled sample corpus (:mod:`.corpus`)."""
