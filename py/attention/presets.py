"""The page's ready-made examples: each a scenario on the toy model, opened at a telling query and head.

All of them leave the embeddings and weights to the toy model (model.py), so
what a learner sees is the designed heads at work; `query` and `head` pick the
pattern the description talks about.
"""
from dataclasses import dataclass

from attention.scenario import Scenario, Selection

POSITIONAL, SYNTACTIC, SEMANTIC, COREFERENCE = range(4)  # model.HEAD_INFO's order


@dataclass(frozen=True)
class Preset:
    id: str  # stable name for links and tests: "hot-dog"
    title: str  # the preset menu's label
    description: str  # one sentence the page shows when the preset is chosen
    scenario: Scenario  # what the page loads
    selection: Selection  # where it opens: the query and head the description talks about


PRESETS = (
    Preset("cat", "The cat sat down",
           "Four tokens, as in the classic step-by-step example: "
           "the syntactic head sends the verb 'sat' to its subject 'cat'.",
           Scenario(tokens=("The", "cat", "sat", "down")),
           Selection(query=2, head=SYNTACTIC)),
    Preset("dog", "the dog was",
           "With nothing to change its meaning, 'dog' finds only itself in the semantic head: it stays an animal.",
           Scenario(tokens=("the", "dog", "was")),
           Selection(query=1, head=SEMANTIC)),
    Preset("hot-dog", "the hot dog was",
           "Add 'hot' and the semantic head sends 'dog' to it, so the weighted sum gives 'dog' heat: "
           "context changes meaning.",
           Scenario(tokens=("the", "hot", "dog", "was")),
           Selection(query=2, head=SEMANTIC)),
    Preset("lions", "Angry lions hunt zebras, while cats sleep peacefully",
           "Grammar without rules: in the syntactic head 'hunt' finds its subject 'lions' (not its object 'zebras') "
           "and 'Angry' finds the noun it describes.",
           Scenario(tokens=("Angry", "lions", "hunt", "zebras", ",", "while", "cats", "sleep", "peacefully")),
           Selection(query=2, head=SYNTACTIC)),
    Preset("pronoun", "The animal didn't cross the street because it was too tired",
           "Who is 'it'? The coreference head sends the pronoun to 'animal', the living noun, rather than 'street'.",
           Scenario(tokens=("The", "animal", "didn't", "cross", "the", "street", "because", "it", "was", "too",
                            "tired")),
           Selection(query=7, head=COREFERENCE)),
    Preset("causal", "The dog chased the ball until it was tired (causal)",
           "A decoder such as GPT may not look ahead: the causal mask gives every later word exactly 0 weight.",
           Scenario(tokens=("The", "dog", "chased", "the", "ball", "until", "it", "was", "tired"),
                    mask="causal"),
           Selection(query=6, head=COREFERENCE)),
    Preset("translate", "le chat noir ← the black cat",
           "Cross-attention in a translator: each French word being written queries the English sentence, "
           "and the semantic head aligns 'chat' with 'cat' and 'noir' with 'black'.",
           Scenario(tokens=("le", "chat", "noir"), context=("the", "black", "cat")),
           Selection(query=1, head=SEMANTIC)),
)


def get_preset(preset_id):  # str -> Preset
    """The preset with this id; KeyError naming the known ids otherwise."""
    for preset in PRESETS:
        if preset.id == preset_id:
            return preset
    raise KeyError(f"no preset {preset_id!r}; the presets are {', '.join(p.id for p in PRESETS)}")
