// Package importer loads the history of a Caf's previous system: closed
// complaints and mediation files from a CSV file, as read-only rows of the
// projection (imported, no workflow owns them), so the figures cover the
// years before Recours.
//
// The file is read once, as a stream, inside one database transaction
// (store.ImportHistory): every row is validated as it is read and the
// valid ones are written as they come, in batches (PostgreSQL: COPY
// straight into cases; SQLite: multi-row INSERTs under the store's write
// lock), the references of each batch already there looked up first and
// left out. The reader counts each row's contributions to the figures
// (internal/figures, as the store counts the files it saves) on its own
// core, and the store adds those of the rows written to its rollup in the
// same transaction, summed by Caf, day, measure and value. When a row is invalid and SkipInvalid is not set, the
// transaction is rolled back at the end and the report lists every bad
// row: nothing is imported. The import is idempotent by reference within
// the Caf (unique with the Caf: two Cafs' previous systems may have used
// the same references): a row whose reference the Caf already holds is
// left as it is and counted unchanged. An imported row carries no JSON document (its
// data is empty): everything a file of history has is in its columns, from
// which the store builds it when it is read, so a row is about a third of
// a live file's.
//
// A row the CSV reader cannot read (a quote out of place), of the wrong
// number of fields, not in UTF-8 or with a field over MaxField is a bad
// row like any other, reported by the line it begins on. A record over
// MaxRecord (a quote never closed swallows the rest of the file) stops
// the import, by its line: where it ends is not known.
//
// Memory stays bounded whatever the file's size: a record is at most
// MaxRecord, rows are not kept, only a
// set of the references seen, to refuse a reference repeated within the
// file. That set holds a 64-bit hash (maphash) of each reference, 8 to 20
// bytes a row once the map's slack is counted (about 20 MB for a million
// rows); two different references of
// one file share a hash with a probability of about n²/2⁶⁵ (3·10⁻⁸ for a
// million), in which case the second would be reported as a duplicate.
package importer
