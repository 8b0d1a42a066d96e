package domain

import "time"

// Record is what one save writes (the workflow builds it, the store
// writes it): the file as it now is, and the changes (events with their
// seq, and queue entries) that led there.
type Record struct {
	Case    Case
	Changes []Change
	// Seq is the seq of the file's last event once the record is written;
	// 0 means that of its last change. A record with no change (a resync)
	// writes the file as it is at Seq.
	Seq int64 `json:",omitempty"`
	// Ordered says the workflow writes its records one at a time, in seq
	// order, each only once the one before is written: the record is then
	// the file as it now is. What the store holds beyond it, or different
	// at its seqs, was written by a workflow task that never completed (a
	// worker killed, Temporal restarted), and the record replaces it.
	// Records of files started before this rule write only what is new.
	Ordered bool `json:",omitempty"`
	// Run and Task are the workflow run and the history length of the
	// workflow task that made the record. A later attempt of a lost task
	// has a longer history (or, for an update's speculative task, the
	// same): a record of the same run whose task is older than the one that
	// last wrote the file was overtaken, and writes nothing. A record of
	// another run (a reset) is the file's new writer.
	Run  string `json:",omitempty"`
	Task int64  `json:",omitempty"`
	// Since is when the workflow first tried to write the record, so a
	// write that keeps failing raises an alert after a minute.
	Since time.Time `json:",omitzero"`
}

// LastSeq is the seq of the file's last event once the record is written.
func (r Record) LastSeq() int64 {
	if r.Seq != 0 || len(r.Changes) == 0 {
		return r.Seq
	}
	return r.Changes[len(r.Changes)-1].Event.Seq
}
