// Package fuzz holds the fuzz target of the importer's reader
// (importer.Read), apart from the importer's own tests: these start
// databases through internal/testutil, which links the embedded Temporal
// server, and the fuzzer, which instruments every package linked, would
// then follow the coverage of the whole server and run a hundred times
// slower. It has no code of its own.
package fuzz
