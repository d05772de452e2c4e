package tenant

// cloneProps returns a deep copy of p, so that copies of one item in
// several mailboxes never share a nested map or slice.
func cloneProps(p Props) Props {
	out := make(Props, len(p))
	for k, v := range p {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneProps(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}
