"""The p5-style drawing layer: api (the `p` object), display list, render loop, backends."""
