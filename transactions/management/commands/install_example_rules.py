"""``manage.py install_example_rules``: the built-ins that can be data, as editable draft rules."""

from typing import Any

from django.core.management.base import BaseCommand

from transactions.rules.examples import examples_install


class Command(BaseCommand):
    help = (
        "Write the example data rules (same card, round amounts, unverified high value) as drafts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = examples_install()
        self.stdout.write(
            f"{len(made)} example rule(s) written" + "".join(f"\n  {r.code}" for r in made)
        )
