# mk/base-check.jq: is the base image the build of the group's commit?
# Input: image-manifest's line for the base (an index or a manifest list).
# $commit: the group's GitCommit; $platforms: the platforms to build, "a,b".
# Output, one line each: "digest D" (the index's digest, image-manifest's),
# then "unannotated" when no platform descriptor carries a revision or source
# annotation (a private mirror: build as named), else per platform "ok P",
# "missing P" (not in the index) or "stale P REVISION".
def platform:
  .os + "/" + .architecture
  + (if .variant and (.architecture != "arm64" or .variant != "v8")
     then "/" + .variant else "" end);
def carries($c):
  (.["org.opencontainers.image.revision"] // "") == $c
  or ((.["org.opencontainers.image.source"] // "") | contains("#" + $c + ":"));

"digest \(.digest)",
([(.manifest.manifests // [])[] | select(.platform)
 | {p: (.platform | platform), a: (.annotations // {})}] as $descs
| if [$descs[].a | has("org.opencontainers.image.revision")
                   or has("org.opencontainers.image.source")] | any | not
  then "unannotated"
  else ($platforms | split(",")[]) as $p
    | [$descs[] | select(.p == $p)] as $hit
    | if $hit == [] then "missing \($p)"
      elif [$hit[].a | carries($commit)] | any then "ok \($p)"
      else "stale \($p) \($hit[0].a["org.opencontainers.image.revision"] // "unknown")"
      end
  end)
