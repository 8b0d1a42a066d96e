package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"recours/internal/store"
	"recours/internal/trail"
)

// trailConfig says where the access trail's key and checkpoints are: both
// outside the database, so that whoever can change the database cannot
// rewrite the trail unnoticed.
type trailConfig struct {
	keyFile, checkpoints string
	interval             time.Duration
}

// keyFlags registers the key's file; the key itself comes from
// RECOURS_AUDIT_KEY only, never a flag (a flag shows in ps).
func (tc *trailConfig) keyFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&tc.keyFile, "audit-key-file", env("RECOURS_AUDIT_KEY_FILE", ""),
		"file holding the access trail's key (hex or base64, 32 bytes at least), instead of RECOURS_AUDIT_KEY (RECOURS_AUDIT_KEY_FILE)")
}

// checkpointFlags registers where and how often the trail's head is
// checkpointed.
func (tc *trailConfig) checkpointFlags(cmd *cobra.Command, where string) {
	cmd.Flags().StringVar(&tc.checkpoints, "audit-checkpoint", env("RECOURS_AUDIT_CHECKPOINT", ""),
		"file (a path or file:///path) the signed checkpoints of the access trail are appended to, outside the database"+where+" (RECOURS_AUDIT_CHECKPOINT)")
	cmd.Flags().DurationVar(&tc.interval, "audit-checkpoint-interval", envDuration("RECOURS_AUDIT_CHECKPOINT_INTERVAL", trail.DefaultInterval),
		"how often the access trail's head is checkpointed, when it moved (RECOURS_AUDIT_CHECKPOINT_INTERVAL)")
}

// key is the key RECOURS_AUDIT_KEY or the key file gives, nil when
// neither does.
func (tc *trailConfig) key() ([]byte, error) {
	inline := os.Getenv("RECOURS_AUDIT_KEY")
	switch {
	case inline != "" && tc.keyFile != "":
		return nil, errors.New("RECOURS_AUDIT_KEY et --audit-key-file (RECOURS_AUDIT_KEY_FILE) sont donnés tous deux : n'en garder qu'un")
	case inline != "":
		key, err := trail.ParseKey(inline)
		if err != nil {
			return nil, fmt.Errorf("RECOURS_AUDIT_KEY : %w", err)
		}
		return key, nil
	case tc.keyFile != "":
		return trail.ReadKeyFile(tc.keyFile)
	}
	return nil, nil
}

// errNoTrailKey is why serve does not start without a key.
var errNoTrailKey = errors.New("la trace des consultations n'a pas de clé : donner RECOURS_AUDIT_KEY " +
	"(32 octets au moins, en hexadécimal ou base64 : openssl rand -hex 32) ou --audit-key-file (RECOURS_AUDIT_KEY_FILE), " +
	"la même à chaque processus API et à recours audit verify, gardée hors de la base")

// trailSetup is what a process writing the trail needs: the key, and the
// log its checkpoints go to.
type trailSetup struct {
	key      []byte
	log      trail.Log
	interval time.Duration
}

// forServe checks serve's settings, before anything waits: a key and a
// checkpoints' file are required.
func (tc *trailConfig) forServe() (trailSetup, error) {
	key, err := tc.key()
	if err != nil {
		return trailSetup{}, err
	}
	if key == nil {
		return trailSetup{}, errNoTrailKey
	}
	if tc.checkpoints == "" {
		return trailSetup{}, errors.New("les points de contrôle de la trace des consultations n'ont pas de fichier : " +
			"donner --audit-checkpoint (RECOURS_AUDIT_CHECKPOINT), hors de la base, sans quoi une fin de trace supprimée passerait inaperçue")
	}
	if tc.interval <= 0 {
		return trailSetup{}, errors.New("--audit-checkpoint-interval (RECOURS_AUDIT_CHECKPOINT_INTERVAL) doit être positif")
	}
	log, err := trail.OpenLog(tc.checkpoints)
	if err != nil {
		return trailSetup{}, err
	}
	return trailSetup{key: key, log: log, interval: tc.interval}, nil
}

// start gives st the key and checkpoints its trail until stop, which takes
// a last checkpoint.
func (s trailSetup) start(st *store.Store) (stop func(), err error) {
	if err := st.SetTrailKey(s.key); err != nil {
		return nil, err
	}
	return (&trail.Checkpointer{Store: st, Key: s.key, Log: s.log}).Start(s.interval), nil
}
