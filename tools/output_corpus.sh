#!/usr/bin/env bash
# Every output of a broad set of symdrop commands, into OUT, to compare before and after a change
# that must not change any output:
#
#   bash tools/output_corpus.sh /tmp/before       # on the commit before
#   bash tools/output_corpus.sh /tmp/after        # on the change
#   diff -r /tmp/before /tmp/after                # nothing
#
# Each command's standard output, standard error and exit status (NNN.out, NNN.err, NNN.cmd) and
# the files it writes; PDFs too with --pdf (slower). Runs `python3 -m symdrop` of the environment
# (PYTHON=... to choose another). About two minutes on two cores, five with --pdf.
set -u
OUT=$1; PDF=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
rm -rf "$OUT"; mkdir -p "$OUT/specs"; cd "$OUT"
S=specs  # relative, as every path here: two folders of outputs compare equal
cp "$ROOT"/examples/*.yaml "$S"/
"$PY" -m symdrop example --spec -o "$S/tutorial.yaml" > /dev/null
cat > "$S/tut-train.yaml" <<'Y'
title: "Dropout toy example & co"
input: [1, 1]
layers:
  - {weights: [[1, 2], [-1, 1], [2, -3]], bias: [0, 1, -1], activation: relu}
  - {weights: [[1, -1, 2], [-2, 1, 1], [1, 1, -1]], bias: [1, 2, 0], activation: relu}
  - {weights: [[1, 2, -1], [2, -1, 1]], bias: [2, -1], activation: relu}
  - {weights: [[-1, 3]], bias: [1], activation: identity}
masks: [[1, 1], [1, 0, 1], [0, 1, 1], [0, 1]]
dropout: {convention: inverted, keep: ["4/5", "1/2", "2/3", "3/4"]}
target: [2]
Y
cat > "$S/plainkeep.yaml" <<'Y'
title: plain with keep
input: ["0.5", -1]
layers:
  - {weights: [[1, 2], [-1, 1], [2, -3]], bias: [0, 1, -1], activation: relu}
  - {weights: [[1, -1, 2], [-2, 1, 1]], bias: [1, 2], activation: sigmoid}
masks: [[1, 1], [1, 0, 1]]
dropout: {convention: plain, keep: ["1", "2/3"]}
target: [1, 0]
Y
cat > "$S/ws.yaml" <<'Y'
title: weight scaling two outputs
input: [2, -1]
layers:
  - {weights: [[1, 2], [-1, 1], [2, -3]], bias: [0, 1, -1], activation: {leaky_relu: "1/10"}}
  - {weights: [[1, -1, 2], [-2, 1, 1]], bias: [1, 2], activation: identity}
masks: [[1, 0], [1, 0, 1]]
dropout: {convention: weight-scaling, keep: ["3/4", "2/3"]}
target: [1, 0]
Y
printf 'id,name\ns01,Ana Silva\ns02,Zoë O'"'"'Brien-Łukasiewicz\ns03,Bob & <b>Co</b>\n' > roster.csv

n=0
run() { n=$((n+1)); local tag; tag=$(printf "%03d" $n); ( "$@" ) > "$tag.out" 2> "$tag.err"; local line="$*"; echo "$? ${line#"$PY -m "}" > "$tag.cmd"; }
sd="$PY -m symdrop"
run $sd --help
for command in example solve sheet backprop check grade expect verify templates; do run $sd $command --help; done
run $sd example --out ex
run $sd example --out exw --edge-weights
run $sd example --out exn --no-diagram
for f in "$S"/*.yaml; do b=$(basename "$f" .yaml)  # f relative: specs/NAME.yaml
  for fmt in latex markdown json moodle gift; do run $sd solve "$f" --format $fmt; done
  run $sd solve "$f" -o "sol-$b.md"
  run $sd solve "$f" -o "sol-$b.tex" --edge-weights
  run $sd solve "$f" --mode test --format latex
  run $sd solve "$f" --mode test -o "test-$b.md"
  run $sd solve "$f" --mode test --format moodle
  run $sd solve "$f" --symbolic masks --format latex
  run $sd solve "$f" --symbolic all --format markdown
  run $sd solve "$f" --symbolic all --format json
  for fmt in latex markdown json; do run $sd expect "$f" --format $fmt; done
  run $sd expect "$f" --symbolic-q --format latex
  run $sd expect "$f" --samples 50 --seed 3 --format markdown
  for fmt in latex markdown json; do run $sd backprop "$f" --format $fmt; done
  run $sd backprop "$f" -o "bp-$b.md" --step 1/10
  run $sd check "$f" --answer 7
  run $sd check "$f" --answer 0 --format json
  run $sd check "$f" --answer 1 --kind test-time --format markdown
  if [ -n "$PDF" ]; then run $sd solve "$f" -o "pdf-$b.pdf"; run $sd backprop "$f" -o "bp-$b.tex" --pdf; run $sd expect "$f" -o "e-$b.pdf"; fi
done
for k in forward inverted test-time ensemble backprop; do
  run $sd sheet --problems 3 --seed 11 --kinds $k --out sh-$k --format latex,markdown,moodle,gift,qti $PDF
  run $sd sheet --problems 2 --seed 12 --kinds $k --out shp-$k --format moodle --parts
  run $sd sheet --problems 2 --seed 13 --kinds $k --out shd-$k --answers decimal --values decimal --format latex,markdown,moodle
  run $sd sheet --stats 4 --seed 2 --kinds $k
done
run $sd sheet --problems 5 --seed 3 --kinds forward,inverted,test-time,ensemble,backprop --values half --out mixed
run $sd sheet --problems 2 --seed 4 --kinds forward,test-time,backprop --roster roster.csv --split --out cls $PDF
run $sd sheet --problems 1 --seed 5 --roster roster.csv --format latex,moodle,gift,qti --out cls2
run $sd sheet --problems 2 --seed 6 --shape 3-4-2 --range -2..2 --keep 2/3,3/4 --no-diagram --out shape
for d in sh-* shp-* shd-* mixed cls cls2 shape; do
  if [ -f "$d/qti.zip" ]; then mkdir -p "$d/qti" && (cd "$d/qti" && "$PY" -m zipfile -e ../qti.zip .) && rm "$d/qti.zip"; fi
done
first=$("$PY" -c "import json; print(json.load(open('mixed/key.json'))['problems'][0]['code'])")
last=$("$PY" -c "import json; print(json.load(open('mixed/key.json'))['problems'][4]['code'])")
run $sd check --key mixed/key.json --code "$first" --answer 3
run $sd check --key mixed/key.json --code "$last" --answer 1 --format json
# answers: every third right, the others a wrong number; then a long file with a bad row
"$PY" - > answers.csv <<'P'
import json
print("student,code,y")
for i, e in enumerate(json.load(open("cls/key.json"))["problems"]):
    answer = "; ".join(e["answer"]) if i % 3 == 0 else ("1" if i % 3 == 1 else "-2/3")
    print(f'{e["student"]},{e["code"]},"{answer}"')
P
run $sd grade --key cls/key.json --answers answers.csv --out graded $PDF
"$PY" - > long.csv <<'P'
import json
print("student,code,part,answer")
for i, e in enumerate(json.load(open("mixed/key.json"))["problems"]):
    print(f'x{i},{e["code"]},y,1')
    print(f'x{i},{e["code"]},z1,"1;2;3"')
print("x9,NOPE,y,1")
P
run $sd grade --key mixed/key.json --answers long.csv --out graded-long
run $sd templates --out templates
# refusals
run $sd solve "$S/missing.yaml"
run $sd sheet --format nope
run $sd sheet --kinds nope
run $sd sheet --parts --format gift
run $sd sheet --split --format moodle
run $sd expect "$S/tutorial.yaml" --format moodle
run $sd backprop "$S/tut-train.yaml" -o b.svg --format markdown
exit 0
