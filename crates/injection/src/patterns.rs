//! The phrase and marker patterns of the injection scorer, one technique
//! each, with the points a match adds.
//!
//! Weights follow upstream where it had the signal (override and role
//! switching 40, fake delimiters 50, authority markers 30, imperative
//! density 20) and are set so that one strong signal asks and two deny.
//! Signals that also occur in honest developer text (a note addressed to AI
//! agents in AGENTS.md, a weak `IMPORTANT:` marker) score below the ask
//! threshold and only count together with another signal.

use std::sync::{LazyLock, OnceLock};

use agentops_literals::{Index, Literal};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};
use regex::bytes::Regex;

use super::{evidence, Signal};

/// A prompt-injection technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Technique {
    /// Telling the model to ignore, forget or replace its instructions ("ignore all
    /// previous instructions", "new instructions:"), in several languages.
    InstructionOverride,
    /// Giving the model a new identity or role ("you are now …", "pretend you
    /// are …", "from now on you …").
    RoleSwitch,
    /// A named jailbreak persona or mode (DAN, "developer mode").
    Jailbreak,
    /// Claiming the model's restrictions are lifted or do not apply here.
    RestrictionRemoval,
    /// Asking the model to bypass, disable or skip safety checks.
    SafetyBypass,
    /// Chat-format or system delimiters (`<|im_end|>`, `[INST]`, `</system>`) that
    /// fake a turn boundary.
    FakeDelimiter,
    /// A fake authority header (`ADMIN OVERRIDE:`, `SYSTEM:`) lending the text the
    /// weight of an operator.
    AuthorityMarker,
    /// Text addressed to the AI reading it ("AI assistant reading this: …"); weak
    /// alone, since honest notes to agents exist.
    AddressedToModel,
    /// Asking the model to reveal its system prompt or instructions.
    PromptExtraction,
    /// Asking the model to collect or send secrets, keys or environment variables.
    SecretHarvest,
    /// Instructions for what the model says or remembers ("append this to
    /// every reply", "save this to your memory").
    ReplyManipulation,
    /// Asking the model to decode hidden text and obey it.
    DecodeAndFollow,
    /// Many override or destructive verbs in few words, as in a list of orders.
    ImperativeDensity,
    /// Text hidden from a human reader: Unicode tag characters, invisible or
    /// bidirectional control characters.
    HiddenText,
    /// Instructions found only after decoding base64, hex, percent or `\u` escapes.
    EncodedInstructions,
    /// Instructions found only after undoing leetspeak or letter spacing.
    Obfuscation,
}

impl Technique {
    /// A short lower-case name for messages, e.g. `instruction override`.
    pub fn describe(self) -> &'static str {
        match self {
            Technique::InstructionOverride => "instruction override",
            Technique::RoleSwitch => "role switching",
            Technique::Jailbreak => "jailbreak persona or mode",
            Technique::RestrictionRemoval => "claim that restrictions no longer apply",
            Technique::SafetyBypass => "request to bypass safety checks",
            Technique::FakeDelimiter => "fake chat or system delimiter",
            Technique::AuthorityMarker => "fake authority marker",
            Technique::AddressedToModel => "text addressed to the AI reading it",
            Technique::PromptExtraction => "system-prompt extraction",
            Technique::SecretHarvest => "request to collect or send secrets",
            Technique::ReplyManipulation => "instructions for the model's replies or memory",
            Technique::DecodeAndFollow => "request to decode and obey hidden text",
            Technique::ImperativeDensity => "dense imperative commands",
            Technique::HiddenText => "hidden text (invisible characters)",
            Technique::EncodedInstructions => "instructions hidden in an encoding",
            Technique::Obfuscation => "obfuscated instructions",
        }
    }
}

use Technique::*;

/// One pattern: its technique, its points, groups of lowercase literals
/// (every group has a literal in any match, so text missing one never
/// compiles or runs the regex), and the regex itself.
type Entry = (
    Technique,
    u32,
    &'static [&'static [&'static str]],
    &'static str,
);

/// Nouns for what an agent is told to obey.
macro_rules! rules_noun {
    () => {
        r"(?:instructions?|prompts?|rules?|directives?|guidelines|guidance|orders|restrictions|guardrails|programming|polic(?:y|ies)|system\s+messages?)"
    };
}

/// Phrase patterns, anywhere in the text.
const PHRASES: &[Entry] = &[
    // "ignore (all) previous instructions", with up to three words between.
    (
        InstructionOverride,
        40,
        &[
            &[
                "ignore",
                "disregard",
                "forget",
                "override",
                "bypass",
                "neglect",
                "abandon",
                "discard",
                "set aside",
                "pay no attention",
                "do not follow",
                "do not obey",
            ],
            &[
                "instruction",
                "prompt",
                "rule",
                "directive",
                "guideline",
                "guidance",
                "order",
                "restriction",
                "guardrail",
                "programming",
                "polic",
                "system message",
            ],
        ],
        concat!(
            r"(?i)\b(?:ignore|disregard|forget|override|bypass|neglect|abandon|discard|set\s+aside|pay\s+no\s+attention\s+to|do\s+not\s+(?:follow|obey))\b",
            r"(?:\s+[\w'’-]+){0,3}?\s+(?:previous|prior|above|earlier|preceding|former|original|initial|all|your|developer|system|operator'?s?)\b",
            r"(?:\s+[\w'’-]+){0,3}?\s+",
            rules_noun!(),
            r"\b"
        ),
    ),
    (
        InstructionOverride,
        40,
        &[
            &["ignore", "disregard", "bypass", "override", "forget"],
            &["content polic", "safety ", "system prompt", "usage polic"],
        ],
        r"(?i)\b(?:ignore|disregard|bypass|override|forget)\s+(?:the\s+|your\s+|all\s+|any\s+)?(?:content\s+polic(?:y|ies)|safety\s+(?:rules|guidelines|protocols|policies|filters|measures)|system\s+prompt|usage\s+polic(?:y|ies))",
    ),
    (
        InstructionOverride,
        40,
        &[
            &["ignore", "disregard", "forget"],
            &["above", "before", "previously", "preceding"],
        ],
        r"(?i)\b(?:ignore|disregard|forget)\s+(?:(?:all|everything|anything|what(?:ever)?)\s+)?(?:of\s+)?(?:the\s+|that\s+)?(?:above|before|previously\s+(?:said|stated|written)|preceding)\b",
    ),
    (
        InstructionOverride,
        40,
        &[&["forget"]],
        r"(?i)\bforget\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been|got)\s+told|(?:that\s+)?(?:was\s+)?(?:said\s+)?(?:above|before|previously))",
    ),
    (
        InstructionOverride,
        40,
        &[&[
            "supersede",
            "precedence",
            "void",
            "nullif",
            "override",
            "replace",
            "cancel",
        ]],
        concat!(
            r"(?i)\b(?:supersedes?|takes?\s+precedence\s+over|voids?|nullif(?:y|ies)|(?:overrides?|replaces?|cancels?)\s+all)\s+(?:all\s+|any\s+)?(?:the\s+)?",
            r"(?:earlier|prior|previous|preceding|above|original|existing|your|system|other)\s+(?:[\w-]+\s+)?(?:instructions?|guidance|rules|directives?|prompts?|guidelines|ones)\b"
        ),
    ),
    (
        InstructionOverride,
        40,
        &[&[
            "no longer",
            "void",
            "null",
            "revoked",
            "lifted",
            "disabled",
            "suspended",
            "cancel",
        ]],
        r"(?i)\b(?:system\s+prompt|(?:your\s+)?(?:instructions|rules|guidelines|restrictions))\s+(?:is|are|has\s+been|have\s+been)\s+(?:now\s+)?(?:void|null|revoked|lifted|disabled|suspended|cancell?ed|no\s+longer\s+(?:valid|apply|in\s+effect))",
    ),
    (
        InstructionOverride,
        40,
        &[&["apply", "exempt", "meant"]],
        r"(?i)\b(?:safety|security|content)\s+(?:guidelines|rules|restrictions|polic(?:y|ies)|protocols)\s+(?:do\s+not|don't|were\s+not\s+meant\s+to|no\s+longer)\s+(?:apply|meant|valid)|\bexempt\s+from\s+(?:the\s+)?(?:usual\s+)?(?:restrictions|rules|policies|guidelines|safety)",
    ),
    (
        InstructionOverride,
        40,
        &[&[
            "instruction",
            "directive",
            "task",
            "your new",
            "your real",
            "your actual",
            "your true",
        ]],
        r"(?i)\b(?:new|updated|revised|real|actual|true)\s+(?:instructions?|directives?|task)\s*:|\byour\s+(?:new|real|actual|true)\s+(?:role|instructions?|task|goal|objective|persona|purpose|directive)\s+(?:is|are)\b",
    ),
    // Other languages (German, French, Spanish, Italian, Portuguese, Dutch,
    // Russian, Polish, Turkish, Chinese, Japanese, Korean): override, new
    // instructions, and "the rules don't apply".
    (
        InstructionOverride,
        40,
        &[&[
            "anweisung",
            "instruktion",
            "regeln",
            "richtlinien",
            "vorgaben",
            "befehle",
        ]],
        r"(?i)\b(?:ignorier\w*|vergiss|vergessen\s+sie|missachte\w*)\b(?:\s+\S+){0,4}?\s+(?:anweisungen|anweisung|instruktionen|regeln|richtlinien|vorgaben|befehle|systemanweisungen)\b|\bneue\s+anweisungen?\s*:",
    ),
    (
        InstructionOverride,
        40,
        &[&[
            "instructions",
            "consignes",
            "règles",
            "regles",
            "directives",
        ]],
        r"(?i)\b(?:ignore[rz]?|oublie[rz]?|négligez|negligez)\b(?:\s+\S+){0,3}?\s+(?:instructions|consignes|règles|regles|directives)\b|\bnouvelles?\s+instructions?\s*:",
    ),
    (
        InstructionOverride,
        40,
        &[&["instrucciones", "reglas", "directrices", "indicaciones"]],
        r"(?i)\b(?:ignora|ignore|olvida|olvide|descarta|omite)\b(?:\s+\S+){0,3}?\s+(?:instrucciones|reglas|directrices|indicaciones)\b|\bnuevas\s+instrucciones\s*:",
    ),
    (
        InstructionOverride,
        40,
        &[&["istruzioni", "regole", "direttive"]],
        r"(?i)\b(?:ignora|dimentica|trascura)\b(?:\s+\S+){0,3}?\s+(?:istruzioni|regole|direttive)\b|\bnuove\s+istruzioni\s*:",
    ),
    (
        InstructionOverride,
        40,
        &[&["instruções", "instrucoes", "regras", "diretrizes"]],
        r"(?i)\b(?:ignore|ignora|esqueça|esqueca|desconsidere)\b(?:\s+\S+){0,3}?\s+(?:instruções|instrucoes|regras|diretrizes)\b",
    ),
    (
        InstructionOverride,
        40,
        &[&["instructies", "regels", "richtlijnen", "opdrachten"]],
        r"(?i)\b(?:negeer|vergeet)\b(?:\s+\S+){0,3}?\s+(?:instructies|regels|richtlijnen|opdrachten)\b",
    ),
    (
        InstructionOverride,
        40,
        &[&["игнорир", "забуд", "проигнор"]],
        r"(?i)(?:игнорируй|игнорируйте|проигнорируй|забудь|забудьте)(?:\s+\S+){0,3}?\s+(?:инструкции|указания|правила)",
    ),
    (
        InstructionOverride,
        40,
        &[&["instrukcje", "polecenia", "zasady"]],
        r"(?i)\b(?:zignoruj|ignoruj|zapomnij)\b(?:\s+\S+){0,3}?\s+(?:instrukcje|polecenia|zasady)",
    ),
    (
        InstructionOverride,
        40,
        &[&["talimat", "kural"]],
        r"(?i)(?:talimatları|talimatlari|kuralları|kurallari)\s+(?:\S+\s+)?(?:yok\s+say|görmezden\s+gel|unut)",
    ),
    (
        InstructionOverride,
        40,
        &[&["忽略", "无视", "忽视", "忘记", "忘掉", "不要理会"]],
        r"(?:忽略|无视|忽视|忘记|忘掉|不要理会)[^。\n]{0,8}(?:指令|指示|说明|规则|提示)",
    ),
    (
        InstructionOverride,
        40,
        &[&["無視", "忘れ"]],
        r"(?:指示|命令|ルール|プロンプト)[^。\n]{0,8}(?:無視|忘れ)",
    ),
    (
        InstructionOverride,
        40,
        &[&["무시", "잊어"]],
        r"(?:지시|명령|규칙|지침)[^.\n]{0,8}(?:무시|잊어)",
    ),
    (
        InstructionOverride,
        40,
        &[&[
            "nicht gelten",
            "non valgono",
            "appliquent pas",
            "no aplican",
        ]],
        r"(?i)\b(?:sicherheitsrichtlinien|regeln|richtlinien)\s+(?:hier\s+)?nicht\s+gelten|\blinee\s+guida\s+di\s+sicurezza\s+non\s+valgono|\brègles\s+de\s+sécurité\s+ne\s+s'appliquent\s+pas|\bregles\s+de\s+securite\s+ne\s+s'appliquent\s+pas|\breglas\s+de\s+seguridad\s+no\s+aplican",
    ),
    // Role switching.
    (
        RoleSwitch,
        40,
        &[&["you are now"]],
        r"(?i)\byou\s+are\s+now\s+(?:an?\s+|the\s+|my\s+)?(?:(?:[\w-]+\s+){0,3}(?:ai|assistant|model|bot|chatbot|persona|character|agent|hacker|admin|administrator|exporter|gpt|llm|entity|version|shell|terminal|interpreter|console|linux)\b|no\s+longer|free\b|unrestricted|jailbroken|dan\b|called|named|in\s+[\w-]+\s+mode)",
    ),
    (
        RoleSwitch,
        40,
        &[&["no longer"]],
        r"(?i)\byou\s+(?:are|'re)\s+no\s+longer\s+(?:an?\s+)?(?:ai|assistant|bound\s+by|claude|chatgpt|a\s+\w+\s+bot|\w+\s+assistant)",
    ),
    (
        RoleSwitch,
        40,
        &[&["pretend"]],
        r"(?i)\bpretend\s+(?:that\s+)?(?:you\s+are|you're|you\s+have)\b",
    ),
    (
        RoleSwitch,
        40,
        &[&["act as"]],
        r"(?i)\bact\s+as\s+if\s+you\b|\bact\s+as\s+(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|evil|uncensored|amoral|rogue)\b",
    ),
    (
        RoleSwitch,
        40,
        &[&[
            "du bist",
            "désormais",
            "desormais",
            "ahora eres",
            "ahora est",
            "ora sei",
        ]],
        r"(?i)\b(?:du\s+bist\s+(?:jetzt|nun|ab\s+sofort)|vous\s+êtes\s+désormais|tu\s+es\s+désormais|vous\s+etes\s+desormais|ahora\s+eres|ahora\s+estás|ahora\s+estas|ora\s+sei)\b",
    ),
    (
        RoleSwitch,
        20,
        &[&["from now on", "ab jetzt", "ab sofort"]],
        r"(?i)\bfrom\s+now\s+on,?\s+(?:you|your|always|never|ignore|respond|answer|act)\b|\bab\s+(?:jetzt|sofort)\b",
    ),
    // Jailbreak personas and modes.
    (
        Jailbreak,
        40,
        &[&[" mode", "do anything now", "modo desarrollador"]],
        r"(?i)\b(?:dan|god|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|evil|chaos)\s+mode\b|\bdo\s+anything\s+now\b|\bmodo\s+desarrollador\b",
    ),
    (
        Jailbreak,
        40,
        &[&["dan"]],
        r"(?i:\b(?:you\s+are\s+(?:now\s+)?|act\s+as\s+|called\s+|named\s+|stay\s+in\s+character\s+as\s+))DAN\b|\bDAN\s+(?:(?i:mode|can|has|will|does|is\s+(?:an?|free|not)))\b|\bDAN,?\s+(?i:which\s+stands)",
    ),
    (
        Jailbreak,
        40,
        &[&["developer mode"]],
        r"(?i)\b(?:you|you're|you\s+are)\b[^.\n]{0,30}\bdeveloper\s+mode\b|\bdeveloper\s+mode\b[^.\n]{0,40}\b(?:enabled|activated|unlocked|no\s+restrictions|without\s+restrictions|no\s+(?:content\s+)?filters?|unrestricted|no\s+rules|no\s+limits|you)\b|\bdeveloper\s+mode\b[^\n]{0,10}\bsystem\s+prompt",
    ),
    (
        RestrictionRemoval,
        25,
        &[&[
            "restriction",
            "limit",
            "filter",
            "rules",
            "guideline",
            "censorship",
            "guardrail",
            "boundar",
            "ethics",
            "morals",
            "content policy",
        ]],
        r"(?i)\b(?:you|answer|respond|reply|comply|output|act|operate|behave)\b[^.\n]{0,40}?\b(?:no|without(?:\s+any)?)\s+(?:[\w-]+\s+)?(?:restrictions|limits|limitations|filters?|filtering|rules|guidelines|censorship|guardrails|boundaries|ethics|morals|content\s+policy)\b",
    ),
    (
        RestrictionRemoval,
        25,
        &[&[
            "restricciones",
            "restrizioni",
            "sans restrictions",
            "einschr",
            "keine regeln",
            "uneingeschr",
            "keine richtlinien",
        ]],
        r"(?i)\b(?:sin\s+restricciones|senza\s+restrizioni|sans\s+restrictions|ohne\s+einschr\w+|keine\s+regeln|uneingeschränkt|keine\s+richtlinien)\b",
    ),
    (
        SafetyBypass,
        20,
        &[&["safety", "security", "content", "ethical", "moderation"]],
        r"(?i)\b(?:disable[sd]?|bypass|turn\s+off|circumvent|deactivate[sd]?|evade|skip)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:safety|security|content|ethical|moderation)\s+(?:checks?|filters?|guidelines|guardrails|measures|protocols|restrictions|rules|policies|settings)|\b(?:safety|security)\s+protocols?\s+(?:are\s+)?disabled",
    ),
    // Text addressed to the model reading it.
    (
        AddressedToModel,
        20,
        // Both groups must occur: "ai" alone is inside every "tail".
        &[
            &[
                "ai",
                "llm",
                "language model",
                "agent",
                "model",
                "chatbot",
                "claude",
                "chatgpt",
                "gpt",
                "copilot",
                "bot",
                "assistant",
            ],
            &[
                "note",
                "notice",
                "message",
                "instruction",
                "attention",
                "reminder",
                "important",
                "warning",
            ],
        ],
        r"(?i)\b(?:note|notice|message|instructions?|attention|reminder|important|warning)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:ai|llm|language\s+model|agent|model|chatbot|claude|chatgpt|gpt|copilot|bot|assistant)s?\b",
    ),
    (
        AddressedToModel,
        20,
        &[&["if you are", "ai ", "llm "]],
        r"(?i)\bif\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|large\s+language\s+model|language\s+model|assistant|agent|bot|automated)\b|\b(?:ai|llm)\s+(?:coding\s+)?(?:assistants?|agents?|models?|systems?)\s+(?:reading|processing|parsing|summari[sz]ing|reviewing|integrating)\b|\b(?:for|to)\s+(?:any\s+)?(?:ai|llm)\s+(?:coding\s+)?(?:agents?|assistants?|systems?)\b",
    ),
    // Prompt extraction.
    (
        PromptExtraction,
        30,
        &[&[
            "prompt",
            "hidden",
            "developer message",
            "system message",
            "systemanweisungen",
            "système",
            "sistema",
        ]],
        r"(?i)\b(?:reveal|print|show|output|repeat|display|tell\s+me|leak|dump|give\s+me|share|disclose|recite|write\s+out|reproduce|verrate|révèle[rz]?|revela|rivela)(?:-moi)?\s+(?:me\s+|mir\s+)?(?:all\s+)?(?:of\s+)?(?:your|the|tes|tus|le\s+tue|deine)\s+(?:[\w-]+\s+){0,2}?(?:system\s*-?\s*prompt|initial\s+prompt|hidden\s+(?:prompt|instructions|message)|developer\s+(?:message|prompt)|system\s+message|systemanweisungen|instructions?\s+(?:système|del\s+sistema|di\s+sistema)|istruzioni\s+di\s+sistema|instrucciones\s+del\s+sistema|prompt\s+(?:système|del\s+sistema|di\s+sistema))",
    ),
    (
        PromptExtraction,
        30,
        &[&[
            "instructions",
            "words above",
            "text above",
            "everything above",
            "context window",
            "verbatim",
        ]],
        r"(?i)\b(?:reveal|print|show|output|repeat|display|tell\s+me|leak|dump|recite|reproduce)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?your\s+(?:[\w-]+\s+){0,2}?instructions\b|\b(?:the\s+)?exact\s+instructions\s+you\s+were\s+given|\brepeat\s+(?:the\s+|all\s+)?(?:words|text|everything)\s+above\b|\binstructions\s+verbatim\b|\bsystem\s+prompt\s+verbatim\b|\beverything\s+in\s+your\s+context\s+window|\binstructions\s+you\s+were\s+given\b",
    ),
    // Collecting or sending secrets.
    (
        SecretHarvest,
        25,
        &[&[
            "credential",
            "secret",
            "password",
            "api key",
            "token",
            "ssh key",
            "private key",
            "keys",
            "env",
            "customer",
            "user data",
            "personal data",
            "order data",
            "conversation",
            "chat history",
            "system prompt",
            "cookie",
            "summary",
        ]],
        r"(?i)\b(?:send|forward|upload|post|e-?mail|transmit|exfiltrate|leak|copy|pipe|submit|envoie)\w*\s+(?:(?:all|every|the|your|my|any|these|this|them|full)\s+)*(?:[\w-]+\s+){0,2}?(?:credentials|secrets|passwords|api\s+keys|tokens|ssh\s+keys|private\s+keys|keys|env(?:ironment)?\s+(?:vars|variables)|\.env|customer\s+(?:data|list|records|database|emails)|user\s+data|personal\s+data|order\s+data|conversation|chat\s+history|system\s+prompt|(?:session|auth(?:entication)?|login|browser)\s+cookies?|(?:the\s+)?user'?s\s+cookies|summary)\b[^.\n]{0,60}?\b(?:to|at|via|into|externally)\b",
    ),
    (
        SecretHarvest,
        25,
        &[&[
            "secret",
            "credential",
            "password",
            "api key",
            "token",
            "environment variable",
            "env var",
            "/etc/shadow",
        ]],
        r"(?i)\b(?:print|output|dump|reveal|list|show|display|return|leak|collect|gather)\s+(?:all|every|each|any)\s+(?:the\s+)?(?:[\w-]+\s+)?(?:secrets?|credentials|passwords|api\s+keys|tokens|environment\s+variables|env\s+vars)\b|\b(?:read|cat)\s+/etc/shadow\b|\boutput\s+env\s+vars\b",
    ),
    // Instructions about the model's own replies or memory.
    (
        ReplyManipulation,
        25,
        &[&[
            "reply", "replies", "response", "answer", "summar", "review", "report",
        ]],
        r"(?i)\b(?:append|include|add|insert|begin|start|end)\b[^.\n]{0,60}\b(?:to|in|at\s+the\s+end\s+of|with)\s+(?:the\s+end\s+of\s+)?(?:your|every|each)\s+(?:future\s+)?(?:reply|replies|response|responses|answer|answers|summary|summaries|review|reviews|report|reports)\b",
    ),
    (
        ReplyManipulation,
        25,
        &[&["memory", "remember for all future", "every future"]],
        r"(?i)\b(?:save|store|write|persist)\s+(?:this|the\s+following|it)\s+(?:note\s+)?(?:to|in)\s+your\s+(?:long-term\s+)?memory\b|\bremember\s+for\s+all\s+future\b|\bin\s+every\s+future\s+(?:reply|response|summary|report|answer)\b",
    ),
    (
        DecodeAndFollow,
        30,
        &[&[
            "decode",
            "translate",
            "deobfuscate",
            "reverse",
            "base64",
            "rot13",
            "hex",
            "binary",
        ]],
        r"(?i)\b(?:decode|translate|deobfuscate|reverse)\b[^.\n]{0,60}\b(?:and|then)\s+(?:do\s+(?:exactly\s+)?what|follow|obey|comply|carry\s+out|execute\s+(?:it|them|the\s+\w+))\b|\b(?:base64|rot13|hex|binary)\b[^.\n]{0,50}\b(?:execute|follow|obey|do\s+(?:exactly\s+)?what)\b",
    ),
];

/// Markers that only mean something at the start of a line (after
/// optional indentation, comment leaders or markdown emphasis).
const LINE_START: &str = r"(?m)^[ \t]*(?:[#/*>|-]+[ \t]*)*(?:\*\*|\[)?";

const LINE_MARKERS: &[Entry] = &[
    (
        FakeDelimiter,
        50,
        &[&["human", "assistant"]],
        r"(?i)(?:human|assistant)\s*:",
    ),
    (
        FakeDelimiter,
        50,
        &[&["##"]],
        r"(?i)#{2,}\s*(?:system|instruction|human|assistant|response)\s*:",
    ),
    (
        AuthorityMarker,
        30,
        &[&[
            "override",
            "developer mode",
            "system",
            "systemhinweis",
            "sistema",
            "système",
            "notice to any ai",
            "breach alert",
            "admin",
        ]],
        r"(?i)(?:admin(?:istrator)?\s+override|system\s+override|security\s+override|override\s*:[ \t]+[a-z]+[ \t]+[a-z]+|developer\s+mode\b|system\s+prompt\s*:|(?:important\s+)?system\s+(?:note|update|message|notice|alert|instruction)s?\s*[:!]|systemhinweis|nota\s+del\s+sistema|nota\s+di\s+sistema|note\s+système|notice\s+to\s+any\s+ai|breach\s+alert|(?:system|admin)\]|admin(?:istrator)?\s*:)",
    ),
    (
        AuthorityMarker,
        25,
        &[&["system"]],
        r"(?i)system\s*:\s*(?:you\b|ignore|grant|the\s+user|reveal|new\s+instructions|from\s+now|cleanup|call\b|disregard|override)",
    ),
    (
        AuthorityMarker,
        15,
        &[&["important", "urgent", "priority", "attention", "critical"]],
        r"(?i)(?:important|urgent|priority|attention|critical)\s*(?:\*\*)?\s*:",
    ),
];

/// Chat-template tokens and fake section ends, anywhere in the text.
const DELIMITERS: &[Entry] = &[
    (
        FakeDelimiter,
        50,
        &[&["<|"]],
        r"<\|(?:im_start|im_end|endoftext|system|user|assistant|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text)\|>",
    ),
    (
        FakeDelimiter,
        50,
        &[&["[inst]", "[/inst]", "<<sys>>", "<</sys>>"]],
        r"\[/?INST\]|<</?SYS>>",
    ),
    (
        FakeDelimiter,
        50,
        &[&["im_start", "im_end", "endoftext"]],
        r"\b(?:im_start|im_end|endoftext)\b",
    ),
    (
        FakeDelimiter,
        50,
        &[&["end"]],
        r"(?i)(?:-{3,}|#{3,}|={3,}|\*{3,})\s*END\s+(?:OF\s+)?(?:USER\s+INPUT|INPUT|DOCUMENT|SYSTEM(?:\s+PROMPT)?|INSTRUCTIONS|CONTEXT|PROMPT)\b",
    ),
    (FakeDelimiter, 25, &[&["thinking>"]], r"(?i)</?thinking>"),
];

/// The three tables in one index space: phrases, then line markers (which
/// get [`LINE_START`] in front), then delimiters.
const fn entry(index: usize) -> (&'static Entry, bool) {
    let lines = PHRASES.len();
    let delimiters = lines + LINE_MARKERS.len();
    if index < lines {
        (&PHRASES[index], false)
    } else if index < delimiters {
        (&LINE_MARKERS[index - lines], true)
    } else {
        (&DELIMITERS[index - delimiters], false)
    }
}

const fn entry_count() -> usize {
    PHRASES.len() + LINE_MARKERS.len() + DELIMITERS.len()
}

/// Every needle of every entry, indexed by the compiler: what a folded text
/// of up to [`LONG_TEXT`] bytes is searched with, at no start-up cost. A
/// needle's owner is its entry's index times eight plus its group.
static NEEDLES: Index<NEEDLE_COUNT> = Index::new(needle_literals());

const NEEDLE_COUNT: usize = {
    let mut count = 0;
    let mut index = 0;
    while index < entry_count() {
        let groups = entry(index).0 .2;
        let mut group = 0;
        while group < groups.len() {
            count += groups[group].len();
            group += 1;
        }
        index += 1;
    }
    count
};

const fn needle_literals() -> [Literal; NEEDLE_COUNT] {
    let mut literals = [Literal::exact("", 0); NEEDLE_COUNT];
    let mut at = 0;
    let mut index = 0;
    while index < entry_count() {
        let groups = entry(index).0 .2;
        assert!(
            !groups.is_empty() && groups.len() <= 8,
            "1 to 8 needle groups"
        );
        let mut group = 0;
        while group < groups.len() {
            let mut n = 0;
            while n < groups[group].len() {
                let owner = (index * 8 + group) as u32;
                literals[at] = Literal::exact(groups[group][n], owner);
                at += 1;
                n += 1;
            }
            group += 1;
        }
        index += 1;
    }
    literals
}

/// Folded texts longer than this are searched with an Aho-Corasick
/// automaton, whose cost per byte does not depend on how the needles share
/// their first bytes; building it is worth it only for long texts.
const LONG_TEXT: usize = 64 * 1024;

/// The same needles as one automaton, for long texts.
static AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // A non-contiguous NFA is the cheapest automaton to build.
    AhoCorasickBuilder::new()
        .kind(Some(AhoCorasickKind::NoncontiguousNFA))
        .build(NEEDLES.literals().iter().map(|l| l.text))
        .expect("needles are a fixed list of literals")
});

/// For each entry, bit `g` set when group `g` has a needle in `folded`.
fn groups_seen(folded: &str) -> Vec<u8> {
    let mut seen = vec![0u8; entry_count()];
    let mut mark = |owner: u32| seen[owner as usize / 8] |= 1 << (owner % 8);
    if folded.len() <= LONG_TEXT {
        NEEDLES.find(folded.as_bytes(), |needle| mark(needle.owner));
    } else {
        for m in AUTOMATON.find_overlapping_iter(folded) {
            mark(NEEDLES.literals()[m.pattern().as_usize()].owner);
        }
    }
    seen
}

static COMPILED: LazyLock<Vec<OnceLock<Regex>>> =
    LazyLock::new(|| (0..entry_count()).map(|_| OnceLock::new()).collect());

fn regex(index: usize) -> &'static Regex {
    COMPILED[index].get_or_init(|| {
        let ((_, _, _, pattern), line_start) = entry(index);
        let (flags, body) = split_flags(pattern);
        let prefix = if line_start { LINE_START } else { "" };
        // English patterns run on bytes with ASCII classes: Unicode `\w`,
        // `\s` and `\b` make automata many times larger and slower to build,
        // and the hook pays that on every call.
        let ascii = if pattern.is_ascii() { "(?-u)" } else { "" };
        Regex::new(&format!("{ascii}{flags}{prefix}(?:{body})"))
            .expect("injection patterns are fixed and tested to compile")
    })
}

/// Move a leading `(?i)` of a table entry before the shared prefix.
fn split_flags(pattern: &str) -> (&str, &str) {
    match pattern.strip_prefix("(?i)") {
        Some(body) => ("(?i)", body),
        None => ("", pattern),
    }
}

/// Lowercase with runs of whitespace collapsed to one space, the form the
/// needles are written in.
fn fold(text: &str) -> String {
    if text.is_ascii() {
        // Byte by byte: no char decoding, no Unicode whitespace table (in
        // ASCII, `char::is_whitespace` is exactly these six).
        let mut out = Vec::with_capacity(text.len());
        let mut space = false;
        for &b in text.as_bytes() {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
                if !space {
                    out.push(b' ');
                }
                space = true;
            } else {
                space = false;
                out.push(b.to_ascii_lowercase());
            }
        }
        // ASCII in, ASCII out.
        return String::from_utf8(out).unwrap_or_default();
    }
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            space = false;
            if c.is_ascii() {
                // Most text is ASCII: skip the Unicode case tables.
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

static SYSTEM_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i-u)</?(?:system|system_prompt|sys)>").expect("fixed pattern"));
static SHORT_SYSTEM_ELEMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i-u)<system>[^<\s]{0,64}</system>").expect("fixed pattern"));
static IMPERATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i-u)\b(?:ignore|forget|override|execute|bypass|disable|skip|delete|remove|drop|erase)\b",
    )
    .expect("fixed pattern")
});
const IMPERATIVE_NEEDLES: &[&str] = &[
    "ignore", "forget", "override", "execute", "bypass", "disable", "skip", "delete", "remove",
    "drop", "erase",
];

/// Every signal in one text. `primary` is false for decoded views, where
/// word statistics mean nothing.
pub(crate) fn scan(text: &str, primary: bool) -> Vec<Signal> {
    let folded = fold(text);
    let mut found = Vec::new();
    for (index, seen) in groups_seen(&folded).iter().enumerate() {
        let groups = entry(index).0 .2.len();
        if u32::from(*seen) != (1u32 << groups) - 1 {
            continue;
        }
        let ((technique, points, _, _), _) = entry(index);
        if let Some(m) = regex(index).find(text.as_bytes()) {
            found.push(Signal {
                technique: *technique,
                points: *points,
                evidence: evidence(&String::from_utf8_lossy(m.as_bytes())),
            });
        }
    }
    if ["<system", "</system", "<sys>", "</sys>"]
        .iter()
        .any(|n| folded.contains(n))
    {
        if let Some(tag) = system_tag(text) {
            found.push(Signal {
                technique: FakeDelimiter,
                points: 50,
                evidence: tag,
            });
        }
    }
    if primary && IMPERATIVE_NEEDLES.iter().any(|n| folded.contains(n)) {
        if let Some(s) = imperative_density(text) {
            found.push(s);
        }
    }
    found
}

/// `<system>` or `</system>` used as a chat boundary. A short element such
/// as Maven's `<system>GitHub</system>` is data, not a boundary.
fn system_tag(text: &str) -> Option<String> {
    let data: Vec<(usize, usize)> = SHORT_SYSTEM_ELEMENT
        .find_iter(text.as_bytes())
        .map(|m| (m.start(), m.end()))
        .collect();
    SYSTEM_TAG
        .find_iter(text.as_bytes())
        .find(|m| !data.iter().any(|(s, e)| m.start() >= *s && m.end() <= *e))
        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
}

/// Many destructive or override verbs in few words, as in a list of orders.
fn imperative_density(text: &str) -> Option<Signal> {
    let mut count = 0;
    let mut distinct: Vec<String> = Vec::new();
    for m in IMPERATIVE.find_iter(text.as_bytes()) {
        count += 1;
        let word = String::from_utf8_lossy(m.as_bytes()).to_ascii_lowercase();
        if !distinct.contains(&word) {
            distinct.push(word);
        }
    }
    if count <= 3 {
        return None;
    }
    let words = text.split_whitespace().count().max(1);
    let percent = count * 100 / words;
    let points = if count >= 5 && distinct.len() >= 4 && percent >= 20 {
        25
    } else if percent > 10 {
        20
    } else {
        return None;
    };
    Some(Signal {
        technique: ImperativeDensity,
        points,
        evidence: format!("{count} imperative verbs in {words} words"),
    })
}

#[cfg(test)]
pub(crate) fn all_patterns_compile() {
    for index in 0..entry_count() {
        let _ = regex(index);
        let ((_, _, groups, _), _) = entry(index);
        assert!(
            !groups.is_empty() && groups.len() <= 8,
            "entry {index}: 1 to 8 needle groups"
        );
        for n in groups.iter().flat_map(|g| g.iter()) {
            assert_eq!(fold(n), *n, "needle {n:?} of entry {index} is not folded");
        }
    }
    let _ = (
        &*SYSTEM_TAG,
        &*SHORT_SYSTEM_ELEMENT,
        &*IMPERATIVE,
        &*AUTOMATON,
    );
}

#[cfg(test)]
pub(crate) fn largest_needle_bucket() -> usize {
    NEEDLES.largest_bucket()
}

#[cfg(test)]
mod fold_tests {
    #[test]
    fn the_ascii_fold_is_the_char_fold() {
        for text in [
            "Ignore  ALL\tprevious\n\n\x0binstructions\r\x0c!",
            "",
            "  a  ",
            "x\u{a0}y É",
        ] {
            let mut by_chars = String::new();
            let mut space = false;
            for c in text.chars() {
                if c.is_whitespace() {
                    if !space {
                        by_chars.push(' ');
                    }
                    space = true;
                } else {
                    space = false;
                    by_chars.extend(c.to_lowercase());
                }
            }
            assert_eq!(super::fold(text), by_chars, "{text:?}");
        }
    }
}
