package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"recours/internal/domain"
	"recours/internal/store"
)

// ProductionProblems lists what makes a database and a configuration unfit
// to serve real claimants, in French, one line each: the demo accounts
// (whose passwords are the public demo tokens and local sign-in), the demo
// partner's published signing secret, a browser sign-in whose public
// address is not https (its cookies would lack Secure behind a TLS proxy),
// and an API that does not seal its actions (anyone reaching the Temporal
// frontend could act in an agent's name). serve refuses to start on any,
// unless told it is a trial.
func ProductionProblems(ctx context.Context, st *store.Store, browser BrowserAuth, actorKey domain.ActorKey) ([]string, error) {
	var out []string
	for _, u := range store.DemoUsers {
		if _, err := st.UserByLogin(ctx, u.Login); err == nil {
			out = append(out, fmt.Sprintf("le compte de démonstration %s existe (base créée par « recours dev ») : supprimez les comptes de démonstration", u.Login))
		} else if domain.ErrorCode(err) != domain.ENOTFOUND {
			return nil, err
		}
	}
	secret, err := st.PartnerSecret(ctx, store.DemoPartner)
	switch {
	case err == nil && secret == store.DemoPartnerSecret:
		out = append(out, fmt.Sprintf("le partenaire %s signe avec le secret public de la démonstration : changez-le (recours partner rotate-secret)", store.DemoPartner))
	case err != nil && domain.ErrorCode(err) != domain.ENOTFOUND:
		return nil, err
	}
	if p := strings.TrimSpace(browser.PublicURL); p != "" || browser.OIDC.Issuer != "" {
		if u, err := url.Parse(p); err != nil || u.Scheme != "https" || u.Host == "" {
			out = append(out, "PUBLIC_URL doit être l'adresse https:// où les navigateurs joignent Recours (sans elle, les cookies de connexion partent sans l'attribut Secure)")
		}
	}
	if actorKey == nil {
		out = append(out, ActorKeyEnv+" n'est pas donnée : sans elle, les actions ne sont pas signées et quiconque joint le serveur Temporal peut agir au nom d'un agent")
	}
	return out, nil
}

// RefuseOrTrial returns an error naming the problems, or, on a trial
// (insecure), logs each one loudly and lets the process start.
func RefuseOrTrial(problems []string, insecure bool, process string) error {
	if len(problems) == 0 {
		return nil
	}
	if insecure {
		for _, p := range problems {
			slog.Error("ESSAI NON SÉCURISÉ ("+process+" --insecure-trial) : ne servez pas d'allocataires réels", "problème", p)
		}
		return nil
	}
	return fmt.Errorf("%s refuse de démarrer en production :\n  - %s\n(pour un essai sans allocataires réels : --insecure-trial ou RECOURS_INSECURE_TRIAL=1)",
		process, strings.Join(problems, "\n  - "))
}
