package tenant

import (
	"html"
	"strings"
	"time"
)

// sentence returns a capitalised sentence of n words.
func sentence(r *genRand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		w := pick(r, words)
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

// paragraphs returns paragraphs totalling about chars characters.
func paragraphs(r *genRand, chars int) []string {
	var out []string
	total := 0
	for total < chars {
		var p strings.Builder
		for s := r.between(1, 5); s > 0; s-- {
			if p.Len() > 0 {
				p.WriteByte(' ')
			}
			p.WriteString(sentence(r, r.between(4, 16)))
		}
		out = append(out, p.String())
		total += p.Len()
	}
	return out
}

// htmlHead is what Outlook puts before every HTML body; it is a constant
// so that the bodies of many messages share its memory.
const htmlHead = "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n" +
	"<style type=\"text/css\" style=\"display:none\">P {margin-top:0;margin-bottom:0;}</style>\r\n</head>\r\n" +
	"<body dir=\"ltr\">\r\n"

// htmlBody renders paragraphs, an optional signature with an inline logo
// (logoCID "" for none) and an optional quoted earlier message as an
// Outlook-like HTML body.
func htmlBody(greeting string, paras []string, signer, logoCID string, quote *quoted) string {
	var b strings.Builder
	b.WriteString(htmlHead)
	if greeting != "" {
		b.WriteString("<div>" + html.EscapeString(greeting) + "</div>\r\n")
	}
	for _, p := range paras {
		b.WriteString("<div>" + html.EscapeString(p) + "</div>\r\n")
	}
	b.WriteString("<div><br></div>\r\n<div>" + html.EscapeString(signer))
	if logoCID != "" {
		b.WriteString("<br><img src=\"cid:" + logoCID + "\" alt=\"logo\">")
	}
	b.WriteString("</div>\r\n")
	if quote != nil {
		b.WriteString("<hr style=\"display:inline-block;width:98%\">\r\n<div id=\"divRplyFwdMsg\" dir=\"ltr\">")
		b.WriteString("<b>From:</b> " + html.EscapeString(quote.from) + "<br>\r\n")
		b.WriteString("<b>Sent:</b> " + quote.sent.Format("Monday, January 2, 2006 3:04 PM") + "<br>\r\n")
		b.WriteString("<b>Subject:</b> " + html.EscapeString(quote.subject) + "</div>\r\n")
		b.WriteString("<div>" + html.EscapeString(quote.text) + "</div>\r\n")
	}
	b.WriteString("</body>\r\n</html>\r\n")
	return b.String()
}

// quoted is the earlier message a reply or forward includes.
type quoted struct {
	from, subject, text string
	sent                time.Time
}
