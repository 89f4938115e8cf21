import click
@click.group()
def ner():
    """NER model commands (placeholder until issue 4 lands)."""
