package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"recours/internal/domain"
	"recours/internal/importer"
)

func importCmd() *cobra.Command {
	var c conn
	var caf string
	var skip bool
	cmd := &cobra.Command{
		Use:   "import --caf CODE [--skip-invalid] FILE.csv",
		Short: "Load closed files of the previous system (CSV) as read-only history",
		Long: `Loads a CSV file of closed complaints and mediation files of one Caf from the
previous system, so that the figures cover the years before Recours. The
header row names the columns:

  ` + strings.Join(importer.Columns, ",") + `

kind is complaint or mediation; dates are YYYY-MM-DD; answered_at, closed_at,
origin, outcome and paused_days may be empty. Every row is validated; when a
row is invalid nothing is imported (each bad row is reported by line) unless
--skip-invalid is given. The import is idempotent by reference: a second run
changes nothing. The file is read as a stream ("-" reads stdin). Exit
status 1 when rows were invalid and nothing was imported.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()
			if err := st.Migrate(ctx); err != nil {
				return err
			}
			rep, err := importer.Import(ctx, st, caf, bufio.NewReaderSize(in, 1<<20), importer.Options{SkipInvalid: skip})
			out := cmd.OutOrStdout()
			var de *domain.Error
			switch {
			case errors.Is(err, importer.ErrInvalidRows):
				printReport(out, rep)
				return fmt.Errorf("%d ligne(s) invalide(s) sur %d : rien n'a été importé (corrigez-les, ou relancez avec --skip-invalid pour importer les autres)", rep.Invalid, rep.Read)
			case errors.As(err, &de) && len(de.Fields) > 0:
				for _, f := range de.Fields {
					fmt.Fprintf(out, "%s : %s\n", f.Field, f.Message)
				}
				return errors.New(de.Message)
			case err != nil:
				return err
			}
			printReport(out, rep)
			return nil
		},
	}
	c.databaseFlags(cmd)
	cmd.Flags().StringVar(&caf, "caf", "", "the Caf whose history it is, 3 digits (required)")
	cmd.Flags().BoolVar(&skip, "skip-invalid", false, "import the valid rows and skip the invalid ones (still reported)")
	_ = cmd.MarkFlagRequired("caf")
	return cmd
}

// printReport prints an import's report in French: the counts, then each
// bad row.
func printReport(w io.Writer, rep importer.Report) {
	fmt.Fprintf(w, "Lignes lues :                  %d\n", rep.Read)
	fmt.Fprintf(w, "Dossiers importés :            %d\n", rep.Imported)
	fmt.Fprintf(w, "Déjà présents (inchangés) :    %d\n", rep.Unchanged)
	fmt.Fprintf(w, "Lignes invalides ignorées :    %d\n", rep.Skipped)
	if rep.Invalid == 0 {
		return
	}
	fmt.Fprintf(w, "Lignes invalides :             %d\n", rep.Invalid)
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "  ligne %d : %s\n", e.Line, e.Reason)
	}
	if more := rep.Invalid - len(rep.Errors); more > 0 {
		fmt.Fprintf(w, "  … et %d autre(s) ligne(s) invalide(s), non listées\n", more)
	}
}
