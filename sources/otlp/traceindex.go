package otlp

import "github.com/telx-cli/telx/sources"

// traceIndex returns the index of id in *ids, appended if new: by a scan
// while there are few, by *index past that, so that a document of many
// traces costs no scan of them all for each.
func traceIndex(ids *[]sources.TraceID, index *map[sources.TraceID]int, id sources.TraceID) int {
	if *index == nil {
		for j, known := range *ids {
			if known == id {
				return j
			}
		}
		if len(*ids) >= 16 {
			*index = make(map[sources.TraceID]int, 2*len(*ids))
			for j, known := range *ids {
				(*index)[known] = j
			}
		}
	} else if j, ok := (*index)[id]; ok {
		return j
	}
	*ids = append(*ids, id)
	if *index != nil {
		(*index)[id] = len(*ids) - 1
	}
	return len(*ids) - 1
}
