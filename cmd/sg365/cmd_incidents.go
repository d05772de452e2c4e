package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/safeguard365/safeguard365/internal/graph"
)

func newIncidentsCommand(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incidents",
		Short: "List, show, update and comment on Microsoft Defender incidents",
		Long: `Work with the tenant's Microsoft Defender incidents (Graph security
incidents): each groups the correlated alerts of one attack. "list" and
"show" read Graph live; "update" writes status, classification,
determination, assignee and tags, and "comment" adds a comment (dry run
unless --confirm, audited). Reading needs SecurityIncident.Read.All,
writing SecurityIncident.ReadWrite.All.`,
	}
	groupCommand(cmd)
	cmd.AddCommand(newIncidentsListCommand(g), newIncidentsShowCommand(g), newIncidentsUpdateCommand(g),
		newIncidentsCommentCommand(g))
	return cmd
}

// printComments lists an alert's or incident's comments, oldest first.
func printComments(w io.Writer, cs []graph.SecurityComment) {
	for _, c := range cs {
		fmt.Fprintf(w, "  comment: %s by %s: %s\n", c.CreatedDateTime, dash(c.CreatedByDisplayName), c.Comment)
	}
}
