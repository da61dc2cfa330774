"""The offline demo (`python -m bot demo`): the real bot against the local Bot API server on a simulated clock.

A coordinator and ten partner organisations play four monthly rounds through their chats (one contact person hands
over to a successor with "Ich bin nicht mehr zuständig" in round 3); the demo leaves each
chat's transcript, the coordinator's digests, the charts and any other picture in the output folder (demo-output/).
runner.py drives it, personas.py says who answers how, chat.py acts in the chats, transcript.py and report.py write.
"""

from bot.demo.runner import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
