package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/store"
)

func cafCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "caf", Short: "Show or change a Caf's deadline policy and what its messages say"}
	var c conn
	var code, dayMode, overpaymentThreshold string
	policy := &cobra.Command{
		Use:   "policy",
		Short: "Print the Caf's deadline policy; with flags, change it for files opened from now on",
		RunE: c.withStore(func(cmd *cobra.Command, st *store.Store) error {
			ctx := cmd.Context()
			org, err := st.Organisation(ctx, code)
			if err != nil {
				return err
			}
			p := org.Policy()
			f := cmd.Flags()
			changed := f.Changed("day-mode")
			if changed {
				p.DayMode = calendar.Mode(dayMode)
			}
			for name, v := range map[string]*int{"acknowledgment-days": &p.AcknowledgmentDays, "target-days": &p.TargetDays,
				"legal-days": &p.LegalDays, "reminder-days-before": &p.ReminderDaysBefore,
				"mediation-target-days": &p.MediationTargetDays, "mediation-legal-days": &p.MediationLegalDays,
				"opinion-days": &p.OpinionDays} {
				if f.Changed(name) {
					*v, _ = f.GetInt(name)
					changed = true
				}
			}
			if changed {
				if err := st.SetPolicy(ctx, code, p); err != nil {
					return err
				}
			}
			var d store.CafDetails
			if f.Changed("overpayment-threshold") {
				cents, ok := domain.ParseAmount(overpaymentThreshold)
				if !ok {
					return fmt.Errorf("--overpayment-threshold: a positive amount in euros, e.g. 1500")
				}
				d.OverpaymentThresholdCents = &cents
			}
			for name, v := range map[string]**string{"mediator-contact": &d.MediatorContact, "address": &d.Address,
				"contact": &d.Contact, "service": &d.ServiceName, "signatory-name": &d.SignatoryName,
				"signatory-function": &d.SignatoryFunction} {
				if f.Changed(name) {
					s, _ := f.GetString(name)
					s = strings.ReplaceAll(s, `\n`, "\n")
					*v = &s
				}
			}
			if err := st.SetCafDetails(ctx, code, d); err != nil {
				return err
			}
			if org, err = st.Organisation(ctx, code); err != nil {
				return err
			}
			b, _ := json.MarshalIndent(struct {
				domain.Policy
				OverpaymentThreshold string `json:"overpayment_threshold"`
				MediatorContact      string `json:"mediator_contact"`
				Address              string `json:"address"`
				Contact              string `json:"contact"`
				Service              string `json:"service"`
				SignatoryName        string `json:"signatory_name"`
				SignatoryFunction    string `json:"signatory_function"`
			}{p, domain.FormatCents(org.OverpaymentThresholdCents), org.MediatorContact, org.Address, org.Contact,
				org.ServiceName, org.SignatoryName, org.SignatoryFunction}, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		}),
	}
	c.databaseFlags(policy)
	policy.Flags().StringVar(&code, "caf", "", "the Caf's number, e.g. 071 (required)")
	policy.Flags().StringVar(&dayMode, "day-mode", "", "calendar, or working (Monday–Friday without French public holidays)")
	policy.Flags().Int("acknowledgment-days", 0, "acknowledgment deadline")
	policy.Flags().Int("target-days", 0, "answer target")
	policy.Flags().Int("legal-days", 0, "answer legal limit")
	policy.Flags().Int("reminder-days-before", 0, "reminder, days before the target")
	policy.Flags().Int("mediation-target-days", 0, "mediation decision target")
	policy.Flags().Int("mediation-legal-days", 0, "mediation decision legal limit")
	policy.Flags().Int("opinion-days", 0, "a service's time to give its opinion, by default")
	policy.Flags().StringVar(&overpaymentThreshold, "overpayment-threshold", "", "amount in euros from which an overpayment notice needs the enriched explanation and a phone attempt (1500 by default)")
	policy.Flags().String("mediator-contact", "", "how claimants reach the Caf's mediator, as the messages say it")
	policy.Flags().String("address", "", `the Caf's postal address on its letters, lines separated by "\n"`)
	policy.Flags().String("contact", "", "how claimants reach the Caf (phone, hours, online account), as the letters say it")
	policy.Flags().String("service", "", "the service in charge of complaints, as the acknowledgments name it")
	policy.Flags().String("signatory-name", "", "first name and name of who signs the letters no agent signs")
	policy.Flags().String("signatory-function", "", "their function")
	_ = policy.MarkFlagRequired("caf")
	cmd.AddCommand(policy, recourseCmd())
	return cmd
}

// recourseCmd shows or sets the Caf's recourse routes: how its letters
// tell a claimant to contest a decision, benefit by benefit.
func recourseCmd() *cobra.Command {
	var c conn
	var code, benefit string
	var reset bool
	r := domain.RecourseRoute{}
	cmd := &cobra.Command{
		Use:   "recourse",
		Short: "Print the Caf's recourse route of each benefit; with --benefit and flags, set its own (or --reset to the national default)",
		RunE: c.withStore(func(cmd *cobra.Command, st *store.Store) error {
			ctx := cmd.Context()
			f := cmd.Flags()
			if benefit != "" {
				b := domain.Benefit(benefit)
				if reset {
					if _, err := st.ResetRecourseRoute(ctx, code, b); err != nil {
						return err
					}
				} else {
					cur, err := st.RecourseRoute(ctx, code, b)
					if err != nil {
						return err
					}
					if f.Changed("body") {
						cur.Body = r.Body
					}
					if f.Changed("route-address") {
						cur.Address = strings.ReplaceAll(r.Address, `\n`, "\n")
					}
					if f.Changed("months") {
						cur.Months = r.Months
					}
					if f.Changed("runs-from") {
						cur.RunsFrom = r.RunsFrom
					}
					if f.Changed("then") {
						cur.Then = r.Then
					}
					if f.Changed("source") {
						cur.Source = r.Source
					}
					if _, err := st.SetRecourseRoute(ctx, code, cur, "cli", time.Now()); err != nil {
						return err
					}
				}
			}
			routes, err := st.RecourseRoutes(ctx, code)
			if err != nil {
				return err
			}
			b, _ := json.MarshalIndent(routes, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		}),
	}
	c.databaseFlags(cmd)
	cmd.Flags().StringVar(&code, "caf", "", "the Caf's number, e.g. 071 (required)")
	cmd.Flags().StringVar(&benefit, "benefit", "", "the benefit whose route to set: housing_aid, rsa, ppa, paje, family_allowance, aah, other")
	cmd.Flags().BoolVar(&reset, "reset", false, "with --benefit: back to the national default")
	cmd.Flags().StringVar(&r.Body, "body", "", "who decides on the recourse, as a letter names it")
	cmd.Flags().StringVar(&r.Address, "route-address", "", `where to write, lines separated by "\n" (empty: the Caf's address)`)
	cmd.Flags().IntVar(&r.Months, "months", 0, "time limit in months from the decision's notification")
	cmd.Flags().StringVar(&r.RunsFrom, "runs-from", "", `from when the time limit runs, as a letter says it after « dans les N mois qui suivent » ("la notification de la décision" by default)`)
	cmd.Flags().StringVar(&r.Then, "then", "", "the court that follows")
	cmd.Flags().StringVar(&r.Source, "source", "", "the text the route comes from")
	_ = cmd.MarkFlagRequired("caf")
	return cmd
}
