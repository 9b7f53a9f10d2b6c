//! Questionnaire definitions (questionnaires/), xlsx templates, reading and evaluating answers.
