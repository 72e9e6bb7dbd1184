CONTROLLERS: list[type] = []
