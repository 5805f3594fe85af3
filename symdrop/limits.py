"""The limits on users' input that keep every command's work bounded; the README's table lists them.

Each is far beyond what a hand computation, a class or the tutorial needs; beyond one, symdrop
refuses at once, in one line that names the limit and the value given, instead of working for
minutes or running out of memory. Change them here only: the checks and the README read these.
"""

# Numbers (specs, answers, options): a hand computation never needs more than a few dozen digits.
MAX_DIGITS = 40  # digits of one number as written, numerator and denominator or both sides of "."
MAX_EXPONENT = 40  # |e| of a number written as 1e-3; 10^999999999 alone would never finish

# Networks (specs).
MAX_UNITS = 64  # units per layer, the input's included
MAX_LAYERS = 16  # layers with weights
MAX_NESTING = 20  # lists and mappings inside each other in a YAML or JSON file (a spec needs 5)
MAX_ENTRIES = 256  # entries of one YAML list or mapping, refused while parsing: 4 x the longest a spec holds
MAX_BATCH = 32  # examples in a batch spec (input a list of rows), checked before any number is read

# Files symdrop reads.
MAX_SPEC_BYTES = 1_000_000  # a spec, a values file, a rubric
MAX_TABLE_BYTES = 20_000_000  # a roster, an answers file
MAX_CSV_CELL = 131_072  # characters of one cell of a roster or answers file (Python's csv default limit)
# A key.json: 3,000 problems (the most one sheet run writes) of some 13 KB each, above the largest
# measured (8 KB: an inverted problem of shape 4-6-6-6-2 with decimals; 4.4 KB at the default shape).
MAX_KEY_BYTES = 40_000_000

# Users' templates (--templates DIR).
MAX_TEMPLATE_BYTES = 1_000_000  # one template file
MAX_TEMPLATE_FILES = 1_000  # files and folders in a template folder (the built-in templates are some 100)
MAX_TEMPLATE_BITS = 100_000  # the result of ** in a template (some 30,000 digits); 10**10**10 would never end
MAX_TEMPLATE_REPEAT = 1_000_000  # characters or entries of a text or list repeated with * in a template

# Work per command.
MAX_CARRIED = 1_000_000  # expect, ReLU/leaky ReLU/identity: vectors formed while carrying the masks, counted as they grow
MAX_MASKABLE = 20  # moments; expect with a sigmoid or tanh output or a q per unit: units with q < 1 (2^20 masks)
MAX_MASKABLE_SYMBOLIC = 12  # expect with sigmoid, tanh or --symbolic-q: every mask an expression
MAX_MASKABLE_WEIGHTS = 16  # expect with DropConnect: weights with q < 1 (worst case 2^16 masks)
MAX_MASKABLE_NESTED = 9  # the same with two or more sigmoid/tanh layers: expressions in expressions
MAX_LISTED = 16  # the ensemble kind (check, grade): units or weights with q < 1, every mask's pass one by one
MAX_SAMPLES = 100_000  # expect --samples
MAX_MOMENTS_SMOOTH = 8  # moments with sigmoid or tanh: units (or weights) with q < 1, every value an expression
MAX_MOMENTS_EVERY_MASK = 12  # moments with a target: the loss and gradients visit every mask (2^12)
MAX_MOMENTS_GRADIENT_WORK = 300_000  # the same: masks x weights, each mask's backward pass (a few s)
MAX_MOMENTS_SMOOTH_TARGET = 5  # the same with a sigmoid or tanh output (hidden ones refused): expressions
MAX_DISTINCT_VALUES = 65_536  # moments: distinct vectors of one layer carried over the masks
MAX_CLOSED_FORM = 40_000  # parts of one pass's irrational values written out (sigmoid/tanh in sigmoid/tanh)
MAX_STEP_CLOSED_FORM = 100_000  # backprop --step: its new weights and the pass after it, the same parts
MAX_MEAN_CLOSED_FORM = 4_000  # expect: the same for the pass with every unit kept (the mean carries it per mask)
MAX_SYMBOLIC_PATHS = 4096  # solve --symbolic: n0 x n1 x ... x nL, the terms of the closed form
MAX_SHOWN_PLACES = 12  # --digits K (spec key digits): places an irrational value is shown to
MAX_SHEET_PROBLEMS = 500  # sheet --problems: on one sheet, or per student of a class set
MAX_PROBLEMS = 3000  # sheet: problems per run, students x --problems for a class set
MAX_KEY_PROBLEMS = MAX_PROBLEMS  # grade, check --key: problems in a key.json, counted before any is read
MAX_STATS = 10_000  # sheet --stats N: problems drawn of each kind
