"""Application-wide pieces: start-up, file dialogs, window sizes, the guide, About."""
