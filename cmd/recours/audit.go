package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"recours/internal/trail"
)

func auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "The access trail"}
	var c conn
	var keys trailConfig
	var checkpoints []string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check that no entry of the access trail was altered or removed",
		Long: `Walks the access trail and checks every link with the trail's key, that
the ids follow each other, and each checkpoint given: its signature, and
that the entry it names is still there, the same. With --data, the key
and the checkpoints of the embedded default's data directory are used.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := keys.key()
			if err != nil {
				return err
			}
			if own := filepath.Join(c.dataDir, trail.KeyFileName); key == nil && c.dataDir != "" && c.databaseURL == "" && exists(own) {
				if key, err = trail.ReadKeyFile(own); err != nil {
					return err
				}
			}
			if key == nil {
				return errors.New("pas de clé pour vérifier la trace des consultations : donner RECOURS_AUDIT_KEY ou --audit-key-file (RECOURS_AUDIT_KEY_FILE), la clé des processus API")
			}
			if len(checkpoints) == 0 && c.dataDir != "" && c.databaseURL == "" {
				if own := filepath.Join(c.dataDir, trail.CheckpointsFileName); exists(own) {
					checkpoints = []string{own}
				}
			}
			var lines []trail.Line
			for _, where := range checkpoints {
				got, err := trail.ReadCheckpoints(where)
				if err != nil {
					return err
				}
				lines = append(lines, got...)
			}
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.SetTrailKey(key); err != nil {
				return err
			}
			r, err := trail.Verify(cmd.Context(), st, key, lines)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, n := range r.Notes {
				fmt.Fprintln(out, n)
			}
			if len(r.Problems) > 0 {
				return trailProblems(r)
			}
			legacy := ""
			if r.Trail.Legacy > 0 {
				legacy = fmt.Sprintf(" (dont %d anciennes, chaînées sans clé)", r.Trail.Legacy)
			}
			fmt.Fprintf(out, "trace des consultations intègre : %d entrées%s\n", r.Trail.Entries, legacy)
			printCheckpoints(out, r, checkpoints)
			return nil
		},
	}
	c.databaseFlags(verify)
	keys.keyFlags(verify)
	var own []string
	if where := env("RECOURS_AUDIT_CHECKPOINT", ""); where != "" {
		own = []string{where}
	}
	verify.Flags().StringSliceVar(&checkpoints, "checkpoints", own,
		"checkpoints' files to check the trail against, one per API host (RECOURS_AUDIT_CHECKPOINT; with --data, DIR/audit-checkpoints.jsonl)")
	cmd.AddCommand(verify)
	return cmd
}

// trailProblems is verify's error: what broke, one problem inline, several
// one per line.
func trailProblems(r trail.Report) error {
	if len(r.Problems) == 1 {
		return fmt.Errorf("trace des consultations altérée : %s", r.Problems[0].Message)
	}
	var b strings.Builder
	b.WriteString("trace des consultations altérée :")
	for _, p := range r.Problems {
		b.WriteString("\n  - " + p.Message)
	}
	return errors.New(b.String())
}

func printCheckpoints(out io.Writer, r trail.Report, files []string) {
	switch {
	case len(files) == 0:
		fmt.Fprintln(out, "aucun point de contrôle vérifié (--checkpoints) : une fin de trace supprimée passerait inaperçue")
	case r.Newest == nil:
		fmt.Fprintf(out, "aucun point de contrôle dans %s\n", strings.Join(files, ", "))
	default:
		fmt.Fprintf(out, "points de contrôle intègres : %d, le plus récent du %s à l'entrée %d\n",
			r.Checkpoints, r.Newest.At.UTC().Format(time.DateTime)+" UTC", r.Newest.LastID)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
